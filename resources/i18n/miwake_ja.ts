<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja">
<context>
    <name>App</name>
    <message>
        <source>%1 does not exist.</source>
        <translation>%1 は存在しません。</translation>
    </message>
    <message>
        <source>Folder not found</source>
        <translation>フォルダーが見つかりません</translation>
    </message>
</context>
<context>
    <name>DetailText</name>
    <message>
        <source>This file could not be scored (%1): %2</source>
        <translation>このファイルは判定できませんでした（%1）：%2</translation>
    </message>
    <message>
        <source>The file&apos;s own metadata states AI generation, and that decides the verdict. The pixel model alone gave an AI probability of %1.</source>
        <translation>ファイル自身のメタデータに AI 生成と記されているため、それで判定しています。画素モデルだけでの AI 確率は %1 でした。</translation>
    </message>
    <message>
        <source>AI probability %1.</source>
        <translation>AI 確率 %1。</translation>
    </message>
    <message>
        <source>The AI probability %1 is at or above %2, the upper end of the model&apos;s unsure band: the picture looks AI-generated.</source>
        <translation>AI 確率 %1 はモデルの保留範囲の上限 %2 以上です。AI が生成した画像と見られます。</translation>
    </message>
    <message>
        <source>The AI probability %1 is below %2, the lower end of the model&apos;s unsure band: the picture looks made by a person.</source>
        <translation>AI 確率 %1 はモデルの保留範囲の下限 %2 未満です。人が制作した画像と見られます。</translation>
    </message>
    <message>
        <source>The AI probability %1 lies between %2 and %3, the model&apos;s unsure band: it cannot tell. Look at the heatmap and the evidence, and ask the author.</source>
        <translation>AI 確率 %1 はモデルの保留範囲（%2〜%3）に入っており、どちらとも言えません。ヒートマップと証拠を確認し、制作者に問い合わせてください。</translation>
    </message>
    <message>
        <source>No provenance metadata was found in the file.</source>
        <translation>ファイルに来歴を示すメタデータは見つかりませんでした。</translation>
    </message>
    <message>
        <source>could not be read</source>
        <translation>読み取れませんでした</translation>
    </message>
    <message>
        <source>states AI generation</source>
        <translation>AI 生成と記載</translation>
    </message>
    <message>
        <source>does not state AI generation</source>
        <translation>AI 生成の記載なし</translation>
    </message>
    <message>
        <source>Model %1 is no longer installed.</source>
        <translation>モデル %1 はもうインストールされていません。</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>アーキテクチャ</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>判定</translation>
    </message>
    <message>
        <source>threshold %1, unsure band %2–%3</source>
        <translation>しきい値 %1、保留範囲 %2〜%3</translation>
    </message>
    <message>
        <source>Validation</source>
        <translation>検証結果</translation>
    </message>
    <message>
        <source>Training data</source>
        <translation>学習データ</translation>
    </message>
    <message>
        <source>About</source>
        <translation>説明</translation>
    </message>
    <message>
        <source>AI probability %1</source>
        <translation>AI 確率 %1</translation>
    </message>
    <message>
        <source>Most suspicious crop</source>
        <translation>最も疑わしいクロップ</translation>
    </message>
    <message>
        <source>Crops scored</source>
        <translation>判定したクロップ数</translation>
    </message>
    <message>
        <source>your setting</source>
        <translation>ユーザー設定</translation>
    </message>
    <message>
        <source>from the model card</source>
        <translation>モデルカードの値</translation>
    </message>
    <message>
        <source>Unsure band</source>
        <translation>保留範囲</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>しきい値</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>形式</translation>
    </message>
    <message>
        <source>Dimensions</source>
        <translation>寸法</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>ファイルサイズ</translation>
    </message>
    <message>
        <source>%1 (%2 bytes)</source>
        <translation>%1（%2 バイト）</translation>
    </message>
    <message>
        <source>Scanned</source>
        <translation>スキャン日時</translation>
    </message>
    <message>
        <source>reused from an earlier scan</source>
        <translation>以前のスキャン結果を再利用</translation>
    </message>
    <message>
        <source>Evidence in the file</source>
        <translation>ファイル内の証拠</translation>
    </message>
    <message>
        <source>File</source>
        <translation>ファイル</translation>
    </message>
</context>
<context>
    <name>DetailWidget</name>
    <message>
        <source>Open a folder and scan it; then pick a row to see where the evidence sits.</source>
        <translation>フォルダーを開いてスキャンし、行を選ぶと、判定の根拠が画像のどこにあるかを表示します。</translation>
    </message>
    <message>
        <source>Loading the picture…</source>
        <translation>画像を読み込んでいます…</translation>
    </message>
    <message>
        <source>The picture cannot be shown: %1</source>
        <translation>画像を表示できません：%1</translation>
    </message>
    <message>
        <source>Point at the picture to see each crop&apos;s probability.</source>
        <translation>画像にマウスを重ねると、各クロップの確率が表示されます。</translation>
    </message>
    <message>
        <source>This crop: AI probability %1</source>
        <translation>このクロップ：AI 確率 %1</translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation>ヒートマップ</translation>
    </message>
    <message>
        <source>Colour each crop by its AI probability: blue = human-like, red = AI-like</source>
        <translation>各クロップを AI 確率で色分けします：青＝人間らしい、赤＝AI らしい</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>開く</translation>
    </message>
    <message>
        <source>Open the image in the system&apos;s viewer</source>
        <translation>システムの画像ビューアーで開きます</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>フォルダーで表示</translation>
    </message>
    <message>
        <source>Show the file in the file manager</source>
        <translation>ファイルマネージャーでファイルを表示します</translation>
    </message>
    <message>
        <source>Copy path</source>
        <translation>パスをコピー</translation>
    </message>
</context>
<context>
    <name>ErrorKind</name>
    <message>
        <source>file not found</source>
        <translation>ファイルが見つかりません</translation>
    </message>
    <message>
        <source>no permission to read</source>
        <translation>読み取り権限がありません</translation>
    </message>
    <message>
        <source>empty file</source>
        <translation>空のファイル</translation>
    </message>
    <message>
        <source>not an image</source>
        <translation>画像ではありません</translation>
    </message>
    <message>
        <source>damaged image</source>
        <translation>壊れた画像</translation>
    </message>
    <message>
        <source>incomplete file</source>
        <translation>不完全なファイル</translation>
    </message>
    <message>
        <source>too many pixels</source>
        <translation>画素数が多すぎます</translation>
    </message>
    <message>
        <source>unsupported format</source>
        <translation>未対応の形式</translation>
    </message>
    <message>
        <source>internal error</source>
        <translation>内部エラー</translation>
    </message>
    <message>
        <source>error</source>
        <translation>エラー</translation>
    </message>
    <message>
        <source>The file was moved or deleted since the scan. Scan the folder again.</source>
        <translation>スキャン後にファイルが移動または削除されました。フォルダーをもう一度スキャンしてください。</translation>
    </message>
    <message>
        <source>Give your user account read access to the file, then scan again.</source>
        <translation>お使いのユーザーアカウントにファイルの読み取り権限を与えてから、もう一度スキャンしてください。</translation>
    </message>
    <message>
        <source>The image is larger than 150 megapixels; scale it down to check it.</source>
        <translation>画像が 1 億 5,000 万画素を超えています。縮小してから調べてください。</translation>
    </message>
    <message>
        <source>Convert the file to PNG or JPEG to check it.</source>
        <translation>PNG か JPEG に変換してから調べてください。</translation>
    </message>
    <message>
        <source>This is a bug in Miwake; the log folder (Help menu) has the details.</source>
        <translation>Miwake の不具合です。詳細はログフォルダー（ヘルプメニュー）にあります。</translation>
    </message>
    <message>
        <source>Check whether the file opens in an image viewer; ask the sender for a new copy.</source>
        <translation>画像ビューアーで開けるか確かめ、開けなければ送り主に送り直してもらってください。</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>You can change the device in Settings.</source>
        <translation>計算デバイスは「設定」で変更できます。</translation>
    </message>
    <message>
        <source>In the app: Tools → Models… → Import.</source>
        <translation>アプリでは「ツール」→「モデル…」→「読み込み」から読み込めます。</translation>
    </message>
    <message>
        <source>The computer ran out of memory. Close other programs, or lower the batch size and the maximum tiles in Settings, then try again.</source>
        <translation>メモリーが足りなくなりました。ほかのプログラムを閉じるか、「設定」でバッチサイズと最大クロップ数を下げてから、もう一度お試しください。</translation>
    </message>
    <message>
        <source>Miwake was not allowed to use %1. Check the file&apos;s permissions and try again.</source>
        <translation>%1 を使う権限がありませんでした。ファイルのアクセス権を確認してから、もう一度お試しください。</translation>
    </message>
    <message>
        <source>%1 does not exist (any more). Check the path and try again.</source>
        <translation>%1 が見つかりません。パスを確認してから、もう一度お試しください。</translation>
    </message>
    <message>
        <source>A file operation failed: %1. Check that the disk is available and not full.</source>
        <translation>ファイル操作に失敗しました：%1。ディスクが接続されていて空き容量があるか確認してください。</translation>
    </message>
    <message>
        <source>Something unexpected went wrong (%1). Miwake keeps running; the details are in the log folder %2. Please report it with that log.</source>
        <translation>予期しない問題が起きました（%1）。Miwake はこのまま使えます。詳細はログフォルダー %2 にあります。そのログを添えてご報告ください。</translation>
    </message>
    <message>
        <source>Something went wrong</source>
        <translation>問題が発生しました</translation>
    </message>
</context>
<context>
    <name>Evidence</name>
    <message>
        <source>metadata: AI</source>
        <translation>メタデータ：AI</translation>
    </message>
    <message>
        <source>metadata unreadable</source>
        <translation>メタデータ読み取り不可</translation>
    </message>
    <message>
        <source>metadata: no AI claim</source>
        <translation>メタデータ：AI 記載なし</translation>
    </message>
</context>
<context>
    <name>EvidenceKind</name>
    <message>
        <source>C2PA Content Credentials</source>
        <translation>C2PA コンテンツ認証情報</translation>
    </message>
    <message>
        <source>IPTC digital source type (XMP)</source>
        <translation>IPTC デジタルソースタイプ (XMP)</translation>
    </message>
    <message>
        <source>AUTOMATIC1111 / Forge parameters</source>
        <translation>AUTOMATIC1111 / Forge の生成パラメーター</translation>
    </message>
    <message>
        <source>ComfyUI workflow</source>
        <translation>ComfyUI ワークフロー</translation>
    </message>
    <message>
        <source>NovelAI metadata</source>
        <translation>NovelAI のメタデータ</translation>
    </message>
    <message>
        <source>InvokeAI metadata</source>
        <translation>InvokeAI のメタデータ</translation>
    </message>
    <message>
        <source>Software field naming a generator</source>
        <translation>生成ツール名を含む Software 項目</translation>
    </message>
    <message>
        <source>Invisible watermark</source>
        <translation>不可視の電子透かし</translation>
    </message>
    <message>
        <source>Metadata that could not be read</source>
        <translation>読み取れなかったメタデータ</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>System language</source>
        <translation>システムの言語</translation>
    </message>
</context>
<context>
    <name>MainActions</name>
    <message>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Scan</source>
        <translation>スキャン(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>ツール(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <source>Recent folders</source>
        <translation>最近使ったフォルダー</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>書き出し</translation>
    </message>
    <message>
        <source>Export the selected rows (or all rows shown) as CSV, JSON or heatmap PNGs</source>
        <translation>選択した行（選択がなければ表示中のすべての行）を CSV・JSON・ヒートマップ PNG に書き出します</translation>
    </message>
    <message>
        <source>Open folder…</source>
        <translation>フォルダーを開く…</translation>
    </message>
    <message>
        <source>Choose a folder of images to check (or drop folders and files on the window)</source>
        <translation>調べる画像のフォルダーを選びます（フォルダーやファイルをウィンドウにドロップしても開けます）</translation>
    </message>
    <message>
        <source>Scan</source>
        <translation>スキャン</translation>
    </message>
    <message>
        <source>Check every image in the folder (F5)</source>
        <translation>フォルダー内のすべての画像を調べます (F5)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the scan; the results so far are kept (Esc)</source>
        <translation>スキャンを止めます。それまでの結果は残ります (Esc)</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV に書き出す…</translation>
    </message>
    <message>
        <source>Export JSON…</source>
        <translation>JSON に書き出す…</translation>
    </message>
    <message>
        <source>Export heatmap PNGs…</source>
        <translation>ヒートマップ PNG を書き出す…</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>モデル…</translation>
    </message>
    <message>
        <source>Installed detector models: choose, import, export, delete</source>
        <translation>インストール済みの判定モデル：選択・読み込み・書き出し・削除</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>設定…</translation>
    </message>
    <message>
        <source>Device, decision band, tiling, language</source>
        <translation>計算デバイス、判定範囲、タイル分割、言語</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>終了</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>ログフォルダーを開く</translation>
    </message>
    <message>
        <source>About Miwake</source>
        <translation>見分け (Miwake) について</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>検索</translation>
    </message>
    <message>
        <source>No folder open</source>
        <translation>フォルダーが開かれていません</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Open a folder of images</source>
        <translation>画像のフォルダーを開く</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>モデルを読み込んでいます…</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>停止しています…</translation>
    </message>
    <message>
        <source>Loading the last scan…</source>
        <translation>前回のスキャン結果を読み込んでいます…</translation>
    </message>
    <message>
        <source>Scanning %1</source>
        <translation>スキャン中：%1</translation>
    </message>
    <message>
        <source>Scan cancelled: %1 of %2 images done; the results so far are kept.</source>
        <translation>スキャンを中止しました：%2 枚中 %1 枚が完了。それまでの結果は残してあります。</translation>
    </message>
    <message>
        <source>No image files found in %1.</source>
        <translation>%1 に画像ファイルが見つかりませんでした。</translation>
    </message>
    <message>
        <source>Scanned %1 images in %2: %3 AI, %4 unsure, %5 human, %6 errors; %7 reused from earlier scans.</source>
        <translation>%1 枚を %2 でスキャンしました：AI %3、保留 %4、人間 %5、エラー %6。%7 枚は以前の結果を再利用しました。</translation>
    </message>
    <message>
        <source>Some folders were skipped</source>
        <translation>一部のフォルダーを読み飛ばしました</translation>
    </message>
    <message>
        <source>The scan stopped: %1</source>
        <translation>スキャンが止まりました：%1</translation>
    </message>
    <message>
        <source>The scan stopped</source>
        <translation>スキャンが止まりました</translation>
    </message>
    <message>
        <source>Open a folder (or drop one here) and press Scan.</source>
        <translation>フォルダーを開く（またはここにドロップする）と、「スキャン」で調べられます。</translation>
    </message>
    <message>
        <source>Last scan (%1) of %2: %3 images with model %4. Press Scan to check again; unchanged files are reused.</source>
        <translation>前回のスキャン（%1）：%2、%3 枚、モデル %4。「スキャン」でもう一度調べられます（変更のないファイルは結果を再利用します）。</translation>
    </message>
    <message>
        <source>Nothing to export</source>
        <translation>書き出す結果がありません</translation>
    </message>
    <message>
        <source>Scan a folder first.</source>
        <translation>先にフォルダーをスキャンしてください。</translation>
    </message>
    <message numerus="yes">
        <source>Exporting %n row(s)…</source>
        <translation>
            <numerusform>%n 行を書き出しています…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Folder for %n heatmap(s)</source>
        <translation>
            <numerusform>%n 枚のヒートマップの保存先フォルダー</numerusform>
        </translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV ファイル (*.csv)</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON ファイル (*.json)</translation>
    </message>
    <message numerus="yes">
        <source>Export %n row(s) as CSV</source>
        <translation>
            <numerusform>%n 行を CSV に書き出す</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Export %n row(s) as JSON</source>
        <translation>
            <numerusform>%n 行を JSON に書き出す</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 written: %2</source>
        <translation>%1 を書き出しました：%2</translation>
    </message>
    <message>
        <source>Heatmaps</source>
        <translation>ヒートマップ</translation>
    </message>
    <message>
        <source>Export finished</source>
        <translation>書き出しが完了しました</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n 件</numerusform>
        </translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>書き出しに失敗しました</translation>
    </message>
    <message>
        <source>No model installed</source>
        <translation>モデルが未インストール</translation>
    </message>
    <message>
        <source>Import a model in Models… before scanning.</source>
        <translation>スキャンの前に「モデル…」でモデルを読み込んでください。</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>モデル：%1</translation>
    </message>
    <message>
        <source>About Miwake</source>
        <translation>見分け (Miwake) について</translation>
    </message>
    <message>
        <source>&lt;b&gt;Miwake (見分け) %1&lt;/b&gt;&lt;p&gt;Tells AI-generated images apart: a score, a verdict and a heatmap of where the evidence sits, computed on this computer.&lt;/p&gt;</source>
        <translation>&lt;b&gt;見分け (Miwake) %1&lt;/b&gt;&lt;p&gt;AI が生成した画像を見分けます。確率・判定、そして根拠が画像のどこにあるかを示すヒートマップを、すべてこのコンピューター上で計算します。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <source>bundled</source>
        <translation>同梱</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>読み込み済み</translation>
    </message>
    <message>
        <source>No model is installed. Import a model bundle (a .miwake file or a folder with model.json and model.safetensors).</source>
        <translation>モデルがインストールされていません。モデル（.miwake ファイル、または model.json と model.safetensors を含むフォルダー）を読み込んでください。</translation>
    </message>
    <message>
        <source>Bundled models cannot be deleted</source>
        <translation>同梱のモデルは削除できません</translation>
    </message>
    <message>
        <source>bundled with Miwake</source>
        <translation>Miwake に同梱</translation>
    </message>
    <message>
        <source>imported by you</source>
        <translation>ユーザーが読み込んだもの</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>active</source>
        <translation>使用中</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>入手元</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>アーキテクチャ</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>入力</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>判定</translation>
    </message>
    <message>
        <source>threshold %1, unsure band %2–%3, aggregation %4</source>
        <translation>しきい値 %1、保留範囲 %2〜%3、集約方法 %4</translation>
    </message>
    <message>
        <source>Validation</source>
        <translation>検証結果</translation>
    </message>
    <message>
        <source>Training data</source>
        <translation>学習データ</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>説明</translation>
    </message>
    <message>
        <source>License</source>
        <translation>ライセンス</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>作成日時</translation>
    </message>
    <message>
        <source>%1 is now the active model; the next scan uses it.</source>
        <translation>%1 を使用するモデルにしました。次のスキャンから使われます。</translation>
    </message>
    <message>
        <source>Import a model</source>
        <translation>モデルを読み込む</translation>
    </message>
    <message>
        <source>Miwake models (*%1)</source>
        <translation>Miwake モデル (*%1)</translation>
    </message>
    <message>
        <source>Import a model folder</source>
        <translation>モデルのフォルダーを読み込む</translation>
    </message>
    <message>
        <source>Checking and installing %1…</source>
        <translation>%1 を検査してインストールしています…</translation>
    </message>
    <message>
        <source>The model was not installed: %1</source>
        <translation>モデルをインストールできませんでした：%1</translation>
    </message>
    <message>
        <source>Installed %1. Choose “Use this model” to scan with it.</source>
        <translation>%1 をインストールしました。スキャンに使うには「このモデルを使う」を押してください。</translation>
    </message>
    <message>
        <source>Export the model</source>
        <translation>モデルを書き出す</translation>
    </message>
    <message>
        <source>Writing %1…</source>
        <translation>%1 を書き出しています…</translation>
    </message>
    <message>
        <source>The model was not exported: %1</source>
        <translation>モデルを書き出せませんでした：%1</translation>
    </message>
    <message>
        <source>Wrote %1. Others can import that file in Miwake.</source>
        <translation>%1 を書き出しました。このファイルはほかの人の Miwake で読み込めます。</translation>
    </message>
    <message>
        <source>Delete model</source>
        <translation>モデルの削除</translation>
    </message>
    <message>
        <source>Delete the model %1? This cannot be undone.</source>
        <translation>モデル %1 を削除しますか？元に戻せません。</translation>
    </message>
    <message>
        <source>Deleted %1.</source>
        <translation>%1 を削除しました。</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>このモデルを使う</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>読み込み</translation>
    </message>
    <message>
        <source>Model file (%1)…</source>
        <translation>モデルファイル (%1)…</translation>
    </message>
    <message>
        <source>Model folder…</source>
        <translation>モデルフォルダー…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>書き出し…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Please wait until the model has been checked.</source>
        <translation>モデルの検査が終わるまでお待ちください。</translation>
    </message>
</context>
<context>
    <name>ResultsModel</name>
    <message>
        <source>File</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>フォルダー</translation>
    </message>
    <message>
        <source>AI probability</source>
        <translation>AI 確率</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <source>Crops</source>
        <translation>クロップ数</translation>
    </message>
    <message>
        <source>Dimensions</source>
        <translation>寸法</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>ファイルサイズ</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>証拠</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>エラー</translation>
    </message>
    <message>
        <source>Most suspicious crop: %1</source>
        <translation>最も疑わしいクロップ：%1</translation>
    </message>
    <message>
        <source>Reused from an earlier scan of the unchanged file</source>
        <translation>変更のないファイルなので、以前のスキャン結果を再利用しました</translation>
    </message>
</context>
<context>
    <name>ResultsWidget</name>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n 枚</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2 shown</source>
        <translation>%2 枚中 %1 枚を表示</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>表示：</translation>
    </message>
    <message>
        <source>All verdicts</source>
        <translation>すべての判定</translation>
    </message>
    <message>
        <source>Filter by file name, folder or evidence…</source>
        <translation>ファイル名・フォルダー・証拠で絞り込み…</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Looking for a GPU…</source>
        <translation>GPU を探しています…</translation>
    </message>
    <message>
        <source>GPU: %1</source>
        <translation>GPU：%1</translation>
    </message>
    <message>
        <source>No CUDA GPU is usable (no NVIDIA GPU or driver, or a CPU-only PyTorch); scans run on the CPU.</source>
        <translation>使える CUDA GPU がありません（NVIDIA の GPU やドライバーがないか、CPU 版の PyTorch です）。スキャンは CPU で行います。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Computation</source>
        <translation>計算</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>デバイス</translation>
    </message>
    <message>
        <source>Automatic (GPU when available)</source>
        <translation>自動（GPU があれば GPU）</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA GPU (NVIDIA)</source>
        <translation>CUDA GPU (NVIDIA)</translation>
    </message>
    <message>
        <source>Apple GPU (MPS)</source>
        <translation>Apple GPU (MPS)</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>判定</translation>
    </message>
    <message>
        <source>Use my own unsure band instead of the model&apos;s</source>
        <translation>モデルの保留範囲の代わりに独自の範囲を使う</translation>
    </message>
    <message>
        <source>Verdict: AI at or above the upper end, human below the lower end, unsure between</source>
        <translation>判定：上限以上なら AI、下限未満なら人間、その間は保留</translation>
    </message>
    <message>
        <source>Unsure band</source>
        <translation>保留範囲</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>しきい値</translation>
    </message>
    <message>
        <source>Tiling and speed</source>
        <translation>タイル分割と速度</translation>
    </message>
    <message>
        <source>Crop stride</source>
        <translation>クロップの間隔</translation>
    </message>
    <message>
        <source>cover (fewest crops)</source>
        <translation>全体を覆う（最少のクロップ数）</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>バッチサイズ</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自動</translation>
    </message>
    <message>
        <source>Most crops per image</source>
        <translation>1 枚あたりの最大クロップ数</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <source>Changes apply to the next scan; the language changes at once. The command line (miwake scan) uses the same settings.</source>
        <translation>変更は次のスキャンから反映されます（言語はすぐに切り替わります）。コマンドライン（miwake scan）も同じ設定を使います。</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
</context>
<context>
    <name>StatusWidget</name>
    <message>
        <source>%1 images/s</source>
        <translation>%1 枚/秒</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>残り %1</translation>
    </message>
    <message>
        <source>%1 reused</source>
        <translation>再利用 %1</translation>
    </message>
</context>
<context>
    <name>Verdict</name>
    <message>
        <source>AI</source>
        <translation>AI</translation>
    </message>
    <message>
        <source>human</source>
        <translation>人間</translation>
    </message>
    <message>
        <source>unsure</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>error</source>
        <translation>エラー</translation>
    </message>
    <message>
        <source>(metadata)</source>
        <translation>（メタデータ）</translation>
    </message>
</context>
</TS>
