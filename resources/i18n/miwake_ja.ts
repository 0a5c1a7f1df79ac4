<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja">
<context>
    <name>AiPage</name>
    <message>
        <source>Choose a diffusers model folder (with model_index.json)</source>
        <translation>diffusers 形式のモデルフォルダー（model_index.json を含む）を選ぶ</translation>
    </message>
    <message>
        <source>Choose a Stable Diffusion checkpoint</source>
        <translation>Stable Diffusion のチェックポイントを選ぶ</translation>
    </message>
    <message>
        <source>safetensors checkpoints (*.safetensors)</source>
        <translation>safetensors チェックポイント (*.safetensors)</translation>
    </message>
    <message>
        <source>Choose a folder of AI-generated images</source>
        <translation>AI 生成画像のフォルダーを選ぶ</translation>
    </message>
    <message>
        <source>Counting the images in your folders…</source>
        <translation>フォルダー内の画像を数えています…</translation>
    </message>
    <message>
        <source>Your folders: %1 AI images in %2 source(s).</source>
        <translation>選んだフォルダー: %2 か所のソースに AI 画像 %1 枚。</translation>
    </message>
    <message>
        <source>Only %1 AI images: a few hundred from several generators train far better.</source>
        <translation>AI 画像は %1 枚だけです。複数の生成モデルによる数百枚のほうがずっとよく学習できます。</translation>
    </message>
    <message>
        <source>One source (%1) holds %2 % of them.</source>
        <translation>1 つのソース（%1）が %2 % を占めています。</translation>
    </message>
    <message>
        <source>%1 files could not be read and will be left out.</source>
        <translation>%1 個のファイルは読み取れなかったため除外します。</translation>
    </message>
    <message>
        <source>No images in %1.</source>
        <translation>%1 に画像がありません。</translation>
    </message>
    <message>
        <source>AI images</source>
        <translation>AI 画像</translation>
    </message>
    <message>
        <source>The model learns what AI images of your domain look like. Make them with Stable Diffusion, pass your own images through its autoencoder, add AI images you already have — or any combination.</source>
        <translation>あなたの分野の AI 画像がどのように見えるかをモデルに学ばせます。Stable Diffusion で生成する、自分の画像をそのオートエンコーダーに通す、手持ちの AI 画像を加える――どれを組み合わせてもかまいません。</translation>
    </message>
    <message>
        <source>Choose at least one source of AI images.</source>
        <translation>AI 画像の入手方法を少なくとも 1 つ選んでください。</translation>
    </message>
    <message>
        <source>Choose a Stable Diffusion model.</source>
        <translation>Stable Diffusion のモデルを選んでください。</translation>
    </message>
    <message>
        <source>Pickle checkpoints (.ckpt, .pt, .bin) can run code when loaded and are refused: use a .safetensors file or a diffusers folder.</source>
        <translation>pickle 形式のチェックポイント（.ckpt・.pt・.bin）は読み込むだけでプログラムを実行できてしまうため、使えません。.safetensors ファイルか diffusers 形式のフォルダーを使ってください。</translation>
    </message>
    <message>
        <source>%1 does not exist.</source>
        <translation>%1 は存在しません。</translation>
    </message>
    <message>
        <source>Stable Diffusion model</source>
        <translation>Stable Diffusion モデル</translation>
    </message>
    <message>
        <source>Hugging Face id, or a local folder or file</source>
        <translation>Hugging Face の ID、またはこのコンピューター上のフォルダーかファイル</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>フォルダー…</translation>
    </message>
    <message>
        <source>Checkpoint file…</source>
        <translation>チェックポイントファイル…</translation>
    </message>
    <message>
        <source>A Hugging Face id (downloaded once, several GB), a diffusers folder, or a single .safetensors checkpoint (SD 1.x, 2.x or SDXL). Best: the model people in your domain actually use.</source>
        <translation>Hugging Face の ID（初回に数 GB をダウンロード）、diffusers 形式のフォルダー、または単一の .safetensors チェックポイント（SD 1.x・2.x・SDXL）。あなたの分野で実際に使われているモデルが最適です。</translation>
    </message>
    <message>
        <source>Generate new images with Stable Diffusion</source>
        <translation>Stable Diffusion で新しい画像を生成する</translation>
    </message>
    <message>
        <source>Reconstruct my human-made images through the model&apos;s autoencoder</source>
        <translation>自分の（人が制作した）画像をモデルのオートエンコーダーで再構成する</translation>
    </message>
    <message>
        <source>“Aligned fakes”: each of your images passes through Stable Diffusion&apos;s VAE. Same content, with the generator&apos;s traces, so the model learns the traces rather than the subjects. Fast, recommended.</source>
        <translation>「位置合わせされた偽画像」：あなたの画像を 1 枚ずつ Stable Diffusion の VAE に通します。内容は同じまま生成器の痕跡だけが加わるので、モデルは題材ではなく痕跡を学びます。高速でおすすめです。</translation>
    </message>
    <message>
        <source>Folders of AI images you already have</source>
        <translation>手持ちの AI 画像のフォルダー</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>フォルダーを追加…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
</context>
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
    <name>ConfusionWidget</name>
    <message>
        <source>said AI</source>
        <translation>AI と判定</translation>
    </message>
    <message>
        <source>said human</source>
        <translation>人間と判定</translation>
    </message>
    <message>
        <source>AI image</source>
        <translation>AI 画像</translation>
    </message>
    <message>
        <source>human-made</source>
        <translation>人が制作</translation>
    </message>
</context>
<context>
    <name>DetailText</name>
    <message>
        <source>This file could not be scored: %1.</source>
        <translation>このファイルは判定できませんでした：%1。</translation>
    </message>
    <message>
        <source>Technical detail: %1</source>
        <translation>技術的な詳細：%1</translation>
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
        <source>%1 images</source>
        <translation>%1 枚</translation>
    </message>
    <message>
        <source>%1 images (%2 AI, %3 human-made)</source>
        <translation>%1 枚（AI %2 枚、人の作品 %3 枚）</translation>
    </message>
    <message>
        <source>%1 sources: %2</source>
        <translation>%1 ソース: %2</translation>
    </message>
    <message>
        <source>Trained on</source>
        <translation>学習データ</translation>
    </message>
    <message>
        <source>Generators</source>
        <translation>生成モデル</translation>
    </message>
    <message>
        <source>Validated on</source>
        <translation>検証データ</translation>
    </message>
    <message>
        <source>Not seen</source>
        <translation>未学習</translation>
    </message>
    <message>
        <source>%1 epochs</source>
        <translation>%1 エポック</translation>
    </message>
    <message>
        <source>Training run</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>After JPEG q90</source>
        <translation>JPEG q90 再圧縮後</translation>
    </message>
    <message>
        <source>“AI” verdicts right %1, “human” verdicts right %2</source>
        <translation>「AI」判定の正解率 %1、「人」判定の正解率 %2</translation>
    </message>
    <message>
        <source>unsure %1</source>
        <translation>判定保留 %1</translation>
    </message>
    <message>
        <source>Verdicts</source>
        <translation>判定</translation>
    </message>
    <message>
        <source>%1 right</source>
        <translation>正解率 %1</translation>
    </message>
    <message>
        <source>Compared on the same %1 images from %2 sources that no bundled model learned from: AUC %3 (1.0 tells every image apart, 0.5 is chance).</source>
        <translation>同梱のどのモデルも学習していない %2 か所の同じ %1 枚で比較：AUC %3（1.0 はすべて見分けられる、0.5 は当て推量と同じ）。</translation>
    </message>
    <message>
        <source>In cross-validation over sources it never saw in training: when it said “AI” it was right %1 of the time, when it said “human” %2.</source>
        <translation>学習に使っていない入手元での交差検証では、「AI」と判定したときの正解率は %1、「人間」と判定したときは %2 でした。</translation>
    </message>
    <message>
        <source>On its own validation split (sources kept out of its training, but like them — not comparable with the line above): when it said “AI” it was right %1 of the time, when it said “human” %2.</source>
        <translation>このモデル独自の検証用分割（学習から外したが学習データに似た入手元。上の行とは比較できません）では、「AI」と判定したときの正解率は %1、「人間」と判定したときは %2 でした。</translation>
    </message>
    <message>
        <source>It answered “unsure” for %1 of those images rather than guess.</source>
        <translation>当て推量をせず、それらの画像の %1 には「保留」と答えました。</translation>
    </message>
    <message>
        <source>On images held out from training it was right %1 of the time.</source>
        <translation>学習から取り分けた画像での正解率は %1 でした。</translation>
    </message>
    <message>
        <source>Its card says nothing about how often it is right.</source>
        <translation>このモデルのカードには、正解率についての記載がありません。</translation>
    </message>
    <message>
        <source>It learned from %1 images from %2 different places.</source>
        <translation>%2 か所の異なる出どころの画像 %1 枚から学習しました。</translation>
    </message>
    <message>
        <source>It learned from %1 images.</source>
        <translation>画像 %1 枚から学習しました。</translation>
    </message>
    <message>
        <source>Its verdicts: %1.</source>
        <translation>判定: %1。</translation>
    </message>
    <message>
        <source>Validation (cross-validated over held-out sources)</source>
        <translation>検証（学習外の入手元での交差検証）</translation>
    </message>
    <message>
        <source>Validation (its own split; not comparable)</source>
        <translation>検証（独自の分割・比較不可）</translation>
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
        <source>Verdict rule</source>
        <translation>判定の決め方</translation>
    </message>
    <message>
        <source>Validation</source>
        <translation>検証結果</translation>
    </message>
    <message>
        <source>About</source>
        <translation>説明</translation>
    </message>
    <message>
        <source>AI from %2, human below %1, unsure between</source>
        <translation>%2 以上で AI、%1 未満で人間、その間は保留</translation>
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
        <source>Not scored here: no crop covers this part (Settings → Most crops per image adds crops).</source>
        <translation>ここは判定していません：この部分にかかるクロップがありません（設定 → 1 枚あたりの最大クロップ数 で増やせます）。</translation>
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
    <message>
        <source>Pick a row to see its picture and where the evidence sits (the filter may hide the row you had chosen).</source>
        <translation>行を選ぶと、画像と証拠のある場所が表示されます（選んでいた行は絞り込みで隠れているかもしれません）。</translation>
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
        <source>too complex to read</source>
        <translation>複雑すぎて読めない</translation>
    </message>
    <message>
        <source>read error (disk or network)</source>
        <translation>読み込みエラー（ディスクまたはネットワーク）</translation>
    </message>
    <message>
        <source>not enough memory</source>
        <translation>メモリ不足</translation>
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
        <source>The disk or network share did not deliver the file. Check the connection; the next scan tries it again.</source>
        <translation>ディスクまたはネットワーク共有からファイルを読み込めませんでした。接続を確認してください。次のスキャンで再試行します。</translation>
    </message>
    <message>
        <source>Close other programs (or scan fewer files at once); the next scan tries it again.</source>
        <translation>ほかのプログラムを閉じてください（または一度にスキャンするファイルを減らしてください）。次のスキャンで再試行します。</translation>
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
    <name>GenerationPage</name>
    <message>
        <source>Starting (loading the model can take a minute)…</source>
        <translation>開始しています（モデルの読み込みに 1 分ほどかかることがあります）…</translation>
    </message>
    <message>
        <source>Stopping after the current image…</source>
        <translation>この画像が終わりしだい停止します…</translation>
    </message>
    <message>
        <source>Running on %1: %2 of %3 images still to make.</source>
        <translation>%1 で実行中：%3 枚中 %2 枚がまだ残っています。</translation>
    </message>
    <message>
        <source>Image %1: denoising step %2 of %3</source>
        <translation>画像 %1：ノイズ除去ステップ %2 / %3</translation>
    </message>
    <message>
        <source>%1 of %2 images · %3 s per image · about %4 left</source>
        <translation>%1 / %2 枚 · 1 枚あたり %3 秒 · 残り約 %4</translation>
    </message>
    <message>
        <source>Stopped. The images made so far are kept; Continue makes the rest (now or after reopening the wizard).</source>
        <translation>停止しました。作成済みの画像は残っています。「続行」で残りを作成します（今すぐでも、ウィザードを開き直した後でもかまいません）。</translation>
    </message>
    <message>
        <source>All AI images are ready: this run made %1. Next: training settings.</source>
        <translation>AI 画像がすべてそろいました（この実行で作成した画像：%1 枚）。次は学習の設定です。</translation>
    </message>
    <message>
        <source>Nothing to generate: the AI images come from the folders you chose.</source>
        <translation>生成するものはありません。AI 画像は選んだフォルダーのものを使います。</translation>
    </message>
    <message>
        <source>Making the AI images</source>
        <translation>AI 画像の作成</translation>
    </message>
    <message>
        <source>This can take a while (seconds per image on a graphics card, minutes on the CPU). You can stop at any time, even close Miwake: reopening the wizard continues where it stopped.</source>
        <translation>時間がかかることがあります（グラフィックスカードなら 1 枚数秒、CPU では数分）。いつでも停止でき、Miwake を閉じてもかまいません。ウィザードを開き直すと、止まったところから続けられます。</translation>
    </message>
    <message>
        <source>%1 images with Stable Diffusion</source>
        <translation>Stable Diffusion で %1 枚</translation>
    </message>
    <message>
        <source>reconstructions of the images in %1 folder(s)</source>
        <translation>%1 個のフォルダーの画像の再構成</translation>
    </message>
    <message>
        <source>plus %1 folder(s) of your own AI images</source>
        <translation>さらに手持ちの AI 画像のフォルダー %1 個</translation>
    </message>
    <message>
        <source>Plan: %1.</source>
        <translation>予定：%1。</translation>
    </message>
    <message>
        <source>; </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Images are saved in %1</source>
        <translation>画像の保存先：%1</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完了</translation>
    </message>
    <message>
        <source>Generating images with Stable Diffusion</source>
        <translation>Stable Diffusion で画像を生成しています</translation>
    </message>
    <message>
        <source>Reconstructing your images (folder %1 of %2: %3)</source>
        <translation>あなたの画像を再構成しています（フォルダー %1 / %2：%3）</translation>
    </message>
    <message>
        <source>Waiting to start</source>
        <translation>開始待ち</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>続行</translation>
    </message>
    <message>
        <source>Retry with CPU offload</source>
        <translation>CPU オフロードでやり直す</translation>
    </message>
    <message>
        <source>Retry on the CPU</source>
        <translation>CPU でやり直す</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>フォルダーを開く</translation>
    </message>
    <message>
        <source>The newest image appears here</source>
        <translation>最新の画像がここに表示されます</translation>
    </message>
</context>
<context>
    <name>GoalPage</name>
    <message>
        <source>What do you want to do?</source>
        <translation>何をしますか？</translation>
    </message>
    <message>
        <source>Teach Miwake your own domain: it learns from your human-made images and from AI images made to look like them. Nothing is installed until you say so at the end.</source>
        <translation>あなたの分野を Miwake に教えます。人が制作したあなたの画像と、それに似せて作った AI 画像から学習します。最後にあなたが決めるまで、何もインストールされません。</translation>
    </message>
    <message>
        <source>Give the new model a name.</source>
        <translation>新しいモデルに名前を付けてください。</translation>
    </message>
    <message>
        <source>Use letters, digits, “-”, “_” and “.” only (no spaces or path characters), starting with a letter or digit; at most 64 characters.</source>
        <translation>使える文字は英字・数字・「-」「_」「.」だけです（空白やパスの記号は使えません）。先頭は英字か数字で、64 文字以内にしてください。</translation>
    </message>
    <message>
        <source>A model called %1 is already installed: choose another name.</source>
        <translation>%1 という名前のモデルはすでにインストールされています。別の名前にしてください。</translation>
    </message>
    <message>
        <source>Delete the unfinished run</source>
        <translation>途中の実行を削除</translation>
    </message>
    <message>
        <source>Delete the run “%1” with everything it made (in %2)? This cannot be undone.</source>
        <translation>実行「%1」と、それが作ったものすべて（%2 内）を削除しますか？元に戻すことはできません。</translation>
    </message>
    <message>
        <source>while making AI images</source>
        <translation>AI 画像の作成中に</translation>
    </message>
    <message>
        <source>after making AI images, before training</source>
        <translation>AI 画像の作成後、学習の前に</translation>
    </message>
    <message>
        <source>during training</source>
        <translation>学習中に</translation>
    </message>
    <message>
        <source>after training, before installing the model</source>
        <translation>学習後、モデルのインストール前に</translation>
    </message>
    <message>
        <source>&lt;b&gt;An unfinished run:&lt;/b&gt; “%1”, started %2, stopped %3. Continue where it stopped?</source>
        <translation>&lt;b&gt;途中の実行があります：&lt;/b&gt;「%1」（%2 開始）が%3止まっています。止まったところから続けますか？</translation>
    </message>
    <message>
        <source>Continue that run</source>
        <translation>その実行を続ける</translation>
    </message>
    <message>
        <source>Delete it</source>
        <translation>削除する</translation>
    </message>
    <message>
        <source>none installed</source>
        <translation>インストールなし</translation>
    </message>
    <message>
        <source>Fine-tune the active model (%1)</source>
        <translation>使用中のモデル（%1）をファインチューニングする</translation>
    </message>
    <message>
        <source>Recommended: starts from what the model already knows and adapts it to your images. Needs fewer images and less time.</source>
        <translation>おすすめ：モデルがすでに学んだことを出発点に、あなたの画像に合わせて調整します。必要な画像も時間も少なくて済みます。</translation>
    </message>
    <message>
        <source>Train a new model</source>
        <translation>新しいモデルを学習する</translation>
    </message>
    <message>
        <source>Starts from a general image network. Needs more images (several hundred per class) and time.</source>
        <translation>汎用の画像ネットワークから始めます。より多くの画像（各クラス数百枚）と時間が必要です。</translation>
    </message>
    <message>
        <source>Name of the new model:</source>
        <translation>新しいモデルの名前：</translation>
    </message>
    <message>
        <source>The name is the model&apos;s id in Miwake (Models… and the command line). The active model stays untouched: the result is a separate model.</source>
        <translation>この名前が Miwake でのモデルの ID になります（「モデル…」やコマンドラインで使います）。使用中のモデルはそのまま残り、結果は別のモデルになります。</translation>
    </message>
</context>
<context>
    <name>HumanPage</name>
    <message>
        <source>Choose a folder of human-made images</source>
        <translation>人が制作した画像のフォルダーを選ぶ</translation>
    </message>
    <message>
        <source>Reading the folders… %1 of %2 images</source>
        <translation>フォルダーを読み込んでいます… %2 枚中 %1 枚</translation>
    </message>
    <message>
        <source>Reading the folders…</source>
        <translation>フォルダーを読み込んでいます…</translation>
    </message>
    <message>
        <source>Add at least one folder of images made by people (your own work first).</source>
        <translation>人が制作した画像のフォルダーを少なくとも 1 つ追加してください（まずはあなた自身の作品から）。</translation>
    </message>
    <message>
        <source>%1 images in %2 source(s) (a source is a sub-folder: its images are kept together).</source>
        <translation>%2 個のソースに %1 枚の画像があります（ソースとはサブフォルダーのことで、その画像はまとめて扱われます）。</translation>
    </message>
    <message>
        <source>No images found in these folders.</source>
        <translation>これらのフォルダーに画像が見つかりません。</translation>
    </message>
    <message>
        <source>Only %1 images: at least %2 are needed for a useful model (several hundred are better).</source>
        <translation>画像が %1 枚しかありません。役に立つモデルには少なくとも %2 枚必要です（数百枚あるとさらに良くなります）。</translation>
    </message>
    <message>
        <source>All images come from one source (%1): the model may learn that source&apos;s look instead of “made by a person”. Add images from other places, each in its own sub-folder.</source>
        <translation>すべての画像が 1 つのソース（%1）から来ています。モデルが「人が制作した」ことではなく、そのソースの見た目を覚えてしまうおそれがあります。ほかの出どころの画像を、それぞれ別のサブフォルダーに入れて追加してください。</translation>
    </message>
    <message>
        <source>One source (%1) holds %2 % of the images: the model may learn its look instead of “made by a person”. Add images from other places.</source>
        <translation>1 つのソース（%1）が画像の %2 % を占めています。モデルが「人が制作した」ことではなく、その見た目を覚えてしまうおそれがあります。ほかの出どころの画像を追加してください。</translation>
    </message>
    <message>
        <source>%1 images are smaller than the crop size (%2 × %2 px) and cannot be trained on.</source>
        <translation>%1 枚の画像はクロップサイズ（%2 × %2 px）より小さいため、学習に使えません。</translation>
    </message>
    <message>
        <source>%1 files could not be read and will be left out.</source>
        <translation>%1 個のファイルは読み取れなかったため除外します。</translation>
    </message>
    <message>
        <source>No images in %1.</source>
        <translation>%1 に画像がありません。</translation>
    </message>
    <message>
        <source>These images look fine for training.</source>
        <translation>これらの画像は学習に使えそうです。</translation>
    </message>
    <message>
        <source>Human-made images</source>
        <translation>人が制作した画像</translation>
    </message>
    <message>
        <source>Folders of images made by people: your own work, and other human-made images of your domain. Put images from different places (artists, sites, years) in different sub-folders.</source>
        <translation>人が制作した画像のフォルダー：あなた自身の作品と、あなたの分野のほかの人による画像です。出どころ（作者・サイト・年）が異なる画像は、別々のサブフォルダーに入れてください。</translation>
    </message>
    <message>
        <source>Only images made without AI belong here. Photos, scans and digital drawings are all fine.</source>
        <translation>ここには AI を使わずに作られた画像だけを入れてください。写真・スキャン・デジタルイラストはどれも使えます。</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>フォルダーを追加…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>ソース</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>画像数</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>割合</translation>
    </message>
</context>
<context>
    <name>JobAdvice</name>
    <message>
        <source>The graphics card ran out of memory. Try CPU offload (slower, needs far less GPU memory), fewer images per batch, or the CPU (much slower). Images already made are kept.</source>
        <translation>グラフィックスカードのメモリーが足りなくなりました。CPU オフロード（遅くなりますが GPU メモリーをずっと少なく使います）、バッチあたりの画像数を減らす、または CPU（かなり遅くなります）を試してください。作成済みの画像は残っています。</translation>
    </message>
    <message>
        <source>The graphics card ran out of memory. Try a smaller batch size, or train on the CPU (much slower).</source>
        <translation>グラフィックスカードのメモリーが足りなくなりました。バッチサイズを小さくするか、CPU で学習してください（かなり遅くなります）。</translation>
    </message>
    <message>
        <source>The disk is full. Free some space (for example by deleting the images of old runs), then continue: finished work is kept.</source>
        <translation>ディスクがいっぱいです。空き容量を作ってから（たとえば以前の実行の画像を削除して）続行してください。終わった作業は残っています。</translation>
    </message>
    <message>
        <source>The Stable Diffusion model is not on this computer and the Hugging Face Hub cannot be reached. Connect to the internet and try again, or go back and choose a local diffusers folder or .safetensors file.</source>
        <translation>Stable Diffusion のモデルがこのコンピューターになく、Hugging Face Hub にも接続できません。インターネットに接続してからやり直すか、前に戻ってこのコンピューター上の diffusers 形式のフォルダーか .safetensors ファイルを選んでください。</translation>
    </message>
    <message>
        <source>The model files are missing, incomplete or not a Stable Diffusion model. Go back and choose the model again: a diffusers folder (with model_index.json), a .safetensors checkpoint or a Hugging Face id.</source>
        <translation>モデルのファイルが見つからないか、不完全か、Stable Diffusion のモデルではありません。前に戻ってモデルを選び直してください：diffusers 形式のフォルダー（model_index.json を含む）、.safetensors チェックポイント、または Hugging Face の ID。</translation>
    </message>
    <message>
        <source>The job stopped unexpectedly (perhaps the computer ran out of memory). Continue to try again: finished work is kept. Closing other programs or a smaller batch size may help.</source>
        <translation>処理が予期せず止まりました（メモリー不足の可能性があります）。「続行」でやり直せます。終わった作業は残っています。ほかのプログラムを閉じたり、バッチサイズを小さくしたりすると改善することがあります。</translation>
    </message>
    <message>
        <source>A part of Miwake that this job needs is not installed:</source>
        <translation>このジョブに必要な Miwake の部品がインストールされていません:</translation>
    </message>
    <message>
        <source>The settings or the data cannot be used as they are:</source>
        <translation>設定またはデータをこのままでは使えません：</translation>
    </message>
    <message>
        <source>Something went wrong (a bug in Miwake). The log folder (Help menu) has the details.</source>
        <translation>問題が発生しました（Miwake の不具合です）。詳細はログフォルダー（ヘルプメニュー）にあります。</translation>
    </message>
    <message>
        <source>Not enough free disk space in %1: about %2 is needed, %3 is free. Free some space, then try again.</source>
        <translation>%1 のディスクの空き容量が足りません：約 %2 必要ですが、空きは %3 です。空き容量を作ってから、もう一度お試しください。</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 時間 %2 分</translation>
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
        <source>Retrain…</source>
        <translation>再学習…</translation>
    </message>
    <message>
        <source>Train or fine-tune a model on your own images, with AI images made by Stable Diffusion</source>
        <translation>Stable Diffusion で作った AI 画像とあなたの画像で、モデルを学習またはファインチューニングします</translation>
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
        <source>How to read the verdicts</source>
        <translation>判定の読み方</translation>
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
        <source>Unfinished retraining</source>
        <translation>未完了の再学習</translation>
    </message>
    <message>
        <source>The retraining of %1 stopped before it finished. Open Retrain… to continue where it left off.</source>
        <translation>%1 の再学習は完了前に止まりました。「再学習…」を開くと、止まったところから続けられます。</translation>
    </message>
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
        <source>The result store</source>
        <translation>結果ストア</translation>
    </message>
    <message>
        <source>The scan stopped early: %1 of %2 images done.</source>
        <translation>スキャンが途中で止まりました（%2 枚中 %1 枚が完了）。</translation>
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
        <source>was stopped</source>
        <translation>停止されました</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失敗しました</translation>
    </message>
    <message>
        <source>was interrupted (Miwake was closed)</source>
        <translation>中断されました（Miwake が閉じられました）</translation>
    </message>
    <message>
        <source>The last scan (%1) of %2 %3 before it finished: %4 images scanned, %5 not reached. Press Scan to finish it; the scanned images are reused.</source>
        <translation>前回のスキャン（%1、%2）は完了前に%3：%4 枚をスキャン済み、%5 枚は未処理です。「スキャン」を押すと続きを行います（スキャン済みの画像は再利用されます）。</translation>
    </message>
    <message>
        <source>The last scan (%1) of %2 %3 before it finished: %4 images scanned, the rest not reached. Press Scan to finish it; the scanned images are reused.</source>
        <translation>前回のスキャン（%1、%2）は完了前に%3：%4 枚をスキャン済み、残りは未処理です。「スキャン」を押すと続きを行います（スキャン済みの画像は再利用されます）。</translation>
    </message>
    <message>
        <source>Nothing to export</source>
        <translation>書き出す結果がありません</translation>
    </message>
    <message>
        <source>Scan a folder first.</source>
        <translation>先にフォルダーをスキャンしてください。</translation>
    </message>
    <message>
        <source>Nothing opened it</source>
        <translation>開けませんでした</translation>
    </message>
    <message>
        <source>No program on this system is set up to open %1. Its path is copied: paste it into a viewer or file manager.</source>
        <translation>このシステムには %1 を開くプログラムが設定されていません。パスをコピーしたので、ビューアーやファイルマネージャーに貼り付けてください。</translation>
    </message>
    <message>
        <source>Scanned 1 image in %2: %3 AI, %4 unsure, %5 human, %6 errors; %7 reused from earlier scans.</source>
        <translation>1 枚を %2 でスキャンしました：AI %3、保留 %4、人間 %5、エラー %6。%7 枚は以前の結果を再利用しました。</translation>
    </message>
    <message>
        <source>Scored on %1.</source>
        <translation>判定：%1。</translation>
    </message>
    <message>
        <source>Scanned %1 images in %2: %3 AI, %4 unsure, %5 human, %6 errors; %7 reused from earlier scans.</source>
        <translation>%1 枚を %2 でスキャンしました：AI %3、保留 %4、人間 %5、エラー %6。%7 枚は以前の結果を再利用しました。</translation>
    </message>
    <message>
        <source>The filter hides every row: clear it to export them.</source>
        <translation>絞り込みですべての行が隠れています。書き出すには絞り込みを解除してください。</translation>
    </message>
    <message numerus="yes">
        <source>Exporting %n row(s)…</source>
        <translation>
            <numerusform>%n 行を書き出しています…</numerusform>
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
    <message>
        <source>the %1 selected rows</source>
        <translation>選択した %1 行</translation>
    </message>
    <message>
        <source>Drawing heatmaps: %1 of %2 (Esc stops; the ones drawn stay)</source>
        <translation>ヒートマップを描いています：%2 枚中 %1 枚（Esc で停止。描いたものは残ります）</translation>
    </message>
    <message>
        <source>the %1 rows shown (the filter hides %2 of %3)</source>
        <translation>表示中の %1 行（%3 行のうち %2 行は絞り込みで非表示）</translation>
    </message>
    <message>
        <source>all %1 rows</source>
        <translation>全 %1 行</translation>
    </message>
    <message>
        <source>the one row</source>
        <translation>1 行</translation>
    </message>
    <message>
        <source>Folder for the heatmaps of %1</source>
        <translation>%1 のヒートマップの保存先フォルダー</translation>
    </message>
    <message>
        <source>Export %1 as CSV</source>
        <translation>%1 を CSV で書き出す</translation>
    </message>
    <message>
        <source>Export %1 as JSON</source>
        <translation>%1 を JSON で書き出す</translation>
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
    <message numerus="yes">
        <source>%n file(s) changed since the scan</source>
        <translation>
            <numerusform>%n 件のファイルがスキャン後に変更されています</numerusform>
        </translation>
    </message>
    <message>
        <source>No heatmap was drawn for them: their crops belong to the old pixels. Scan again to update.</source>
        <translation>これらのヒートマップは描画していません。クロップが古い画素のものだからです。更新するにはもう一度スキャンしてください。</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>書き出しに失敗しました: %1</translation>
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
        <source>&lt;h3&gt;How to read the verdicts&lt;/h3&gt;&lt;p&gt;&lt;b&gt;AI probability&lt;/b&gt; — how likely the pixels are AI-generated, by the model&apos;s reading of crops of the picture at their own resolution (0 = human-made, 1 = AI-generated). It is a hint, not proof.&lt;/p&gt;&lt;p&gt;&lt;b&gt;AI&lt;/b&gt; — the probability is above the model&apos;s unsure band: look closer. &lt;b&gt;Human&lt;/b&gt; — below it: the model saw no sign of a generator; it is never a guarantee. &lt;b&gt;Unsure&lt;/b&gt; — the model cannot tell; the probability still says which side it leans to. The band was chosen so that AI and human verdicts were right about 95 % of the time on sources the model had not seen; the Models dialog shows what was reached.&lt;/p&gt;&lt;p&gt;&lt;b&gt;AI (metadata)&lt;/b&gt; — the file itself says it was generated (C2PA Content Credentials, IPTC, the parameters of Stable Diffusion front ends, an invisible watermark). That decides the verdict. No metadata means nothing: most files lose it on the way.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Heatmap&lt;/b&gt; — each coloured square is one crop the model scored (blue human, red AI); hover it to read its probability. Grey hatching marks parts no crop covered (large images are sampled; Settings → Most crops per image adds crops).&lt;/p&gt;&lt;p&gt;&lt;b&gt;What weakens it&lt;/b&gt; — resizing, heavy compression, screenshots and filters remove the traces it reads; generators it never met may pass as human. For your own domain, retrain it (Tools → Retrain…).&lt;/p&gt;</source>
        <translation>&lt;h3&gt;判定の読み方&lt;/h3&gt;&lt;p&gt;&lt;b&gt;AI 確率&lt;/b&gt; — 画像の画素が AI で生成された可能性です。画像の一部（クロップ）をそのままの解像度でモデルが読み取って出します（0 = 人の手による、1 = AI 生成）。手がかりであって、証明ではありません。&lt;/p&gt;&lt;p&gt;&lt;b&gt;AI&lt;/b&gt; — 確率がモデルの保留帯より上です。よく確かめてください。&lt;b&gt;人間&lt;/b&gt; — 保留帯より下です。生成モデルの痕跡は見つかりませんでしたが、保証ではありません。&lt;b&gt;保留&lt;/b&gt; — モデルには判断できません。どちら寄りかは確率でわかります。保留帯は、モデルが見ていない入手元で AI・人間の判定が約 95 % 正しくなるように選ばれています。実際の値はモデルのダイアログに表示されます。&lt;/p&gt;&lt;p&gt;&lt;b&gt;AI（メタデータ）&lt;/b&gt; — ファイル自体が生成されたと記しています（C2PA コンテンツクレデンシャル、IPTC、Stable Diffusion 系ツールの生成パラメーター、見えない透かし）。これで判定が決まります。メタデータがないことは何も意味しません。多くのファイルは途中でメタデータを失います。&lt;/p&gt;&lt;p&gt;&lt;b&gt;ヒートマップ&lt;/b&gt; — 色の付いた四角はモデルが判定したクロップです（青は人間、赤は AI）。マウスを重ねると確率が表示されます。灰色の斜線はどのクロップにも入らなかった部分です（大きな画像は一部を抜き出して判定します。設定 → 1 枚あたりの最大クロップ数 で増やせます）。&lt;/p&gt;&lt;p&gt;&lt;b&gt;弱くなる場合&lt;/b&gt; — 縮小、強い圧縮、スクリーンショット、フィルターは、モデルが読む痕跡を消します。モデルが知らない生成モデルは人間と判定されることがあります。ご自分の分野向けには再学習してください（ツール → 再学習…）。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>How to read the verdicts</source>
        <translation>判定の読み方</translation>
    </message>
    <message>
        <source>About Miwake</source>
        <translation>見分け (Miwake) について</translation>
    </message>
    <message>
        <source>&lt;b&gt;Miwake (見分け) %1&lt;/b&gt;&lt;p&gt;Tells AI-generated images apart: a score, a verdict and a heatmap of where the evidence sits, computed on this computer.&lt;/p&gt;</source>
        <translation>&lt;b&gt;見分け (Miwake) %1&lt;/b&gt;&lt;p&gt;AI が生成した画像を見分けます。確率・判定、そして根拠が画像のどこにあるかを示すヒートマップを、すべてこのコンピューター上で計算します。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>A retraining job is running</source>
        <translation>再学習ジョブが実行中です</translation>
    </message>
    <message>
        <source>Quitting stops the job. Training saves a checkpoint first; the next time you open Retrain… it offers to continue from there.</source>
        <translation>終了するとジョブは止まります。学習は先にチェックポイントを保存します。次に「再学習…」を開くと、そこから続けることができます。</translation>
    </message>
    <message>
        <source>Stop the job and quit</source>
        <translation>ジョブを止めて終了</translation>
    </message>
    <message>
        <source>Keep working</source>
        <translation>作業を続ける</translation>
    </message>
    <message>
        <source>Still stopping the retraining job (saving a checkpoint); Miwake quits within %1 s.</source>
        <translation>再学習ジョブを停止中です（チェックポイントを保存中）。%1 秒以内に Miwake は終了します。</translation>
    </message>
    <message>
        <source>Stopping the retraining job (saving a checkpoint) before quitting…</source>
        <translation>終了する前に再学習ジョブを停止しています（チェックポイントを保存中）…</translation>
    </message>
</context>
<context>
    <name>MetricsTable</name>
    <message>
        <source>AUC (1.0 = perfect)</source>
        <translation>AUC（1.0 = 完璧）</translation>
    </message>
    <message>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <source>Recall (AI images caught)</source>
        <translation>再現率（見抜けた AI 画像の割合）</translation>
    </message>
    <message>
        <source>Precision (AI verdicts that were right)</source>
        <translation>適合率（AI 判定が正しかった割合）</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>正解率</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>しきい値</translation>
    </message>
    <message>
        <source>Validation images</source>
        <translation>検証画像数</translation>
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
        <source>In use for scans.</source>
        <translation>スキャンに使用中です。</translation>
    </message>
    <message>
        <source>Not in use: choose “Use this model”.</source>
        <translation>未使用: 「このモデルを使う」を選ぶと使えます。</translation>
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
        <source>after JPEG q90: %1</source>
        <translation>JPEG q90 後：%1</translation>
    </message>
    <message>
        <source>%1 images from %2 sources that no bundled model was fitted on</source>
        <translation>どの同梱モデルの学習にも使っていない %2 か所の入手元の %1 枚</translation>
    </message>
    <message>
        <source>On new sources (the same test for every model)</source>
        <translation>新しい入手元（全モデル共通のテスト）</translation>
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
        <source>Details for specialists</source>
        <translation>専門家向けの詳細</translation>
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
    <name>PromptWidget</name>
    <message>
        <source>Load prompts (one per line)</source>
        <translation>プロンプトを読み込む（1 行に 1 つ）</translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>テキストファイル (*.txt);;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>Cannot read %1 as a text file (%2).</source>
        <translation>%1 をテキストファイルとして読み込めません（%2）。</translation>
    </message>
    <message>
        <source>Write at least one prompt (one per line), or choose a preset.</source>
        <translation>プロンプトを少なくとも 1 つ書くか（1 行に 1 つ）、プリセットを選んでください。</translation>
    </message>
    <message>
        <source>Prompts for a domain:</source>
        <translation>分野別のプロンプト：</translation>
    </message>
    <message>
        <source>My own prompts:</source>
        <translation>自分のプロンプト：</translation>
    </message>
    <message>
        <source>Cars</source>
        <translation>自動車</translation>
    </message>
    <message>
        <source>Anime and illustration</source>
        <translation>アニメ・イラスト</translation>
    </message>
    <message>
        <source>Famous buildings and monuments</source>
        <translation>有名な建物・名所</translation>
    </message>
    <message>
        <source>Nature and scenery</source>
        <translation>自然・風景</translation>
    </message>
    <message>
        <source>People (portraits)</source>
        <translation>人物（ポートレート）</translation>
    </message>
    <message>
        <source>One prompt per line; lines starting with # are ignored</source>
        <translation>1 行に 1 つのプロンプト。# で始まる行は無視されます</translation>
    </message>
    <message>
        <source>Load file…</source>
        <translation>ファイルを読み込む…</translation>
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
    <name>ResultsPage</name>
    <message>
        <source>Checking the previous model on the same validation images: %1 of %2…</source>
        <translation>同じ検証画像で以前のモデルを調べています：%2 枚中 %1 枚…</translation>
    </message>
    <message>
        <source>no previous model</source>
        <translation>以前のモデルなし</translation>
    </message>
    <message>
        <source>New model
%1</source>
        <translation>新しいモデル
%1</translation>
    </message>
    <message>
        <source>Before
%1</source>
        <translation>以前
%1</translation>
    </message>
    <message>
        <source>New: %1</source>
        <translation>新：%1</translation>
    </message>
    <message>
        <source>Before: %1</source>
        <translation>以前：%1</translation>
    </message>
    <message>
        <source>new (AUC %1)</source>
        <translation>新（AUC %1）</translation>
    </message>
    <message>
        <source>before (AUC %1)</source>
        <translation>以前（AUC %1）</translation>
    </message>
    <message>
        <source>Measured on %1 validation images from sources the model never trained on: %2. Each model decides at its own threshold.</source>
        <translation>学習に使わなかったソース（%2）の検証画像 %1 枚で測定しました。各モデルはそれぞれのしきい値で判定しています。</translation>
    </message>
    <message>
        <source>Checking the previous model on the same validation images…</source>
        <translation>同じ検証画像で以前のモデルを調べています…</translation>
    </message>
    <message>
        <source>No model was installed before: there is nothing to compare with.</source>
        <translation>以前にインストールされたモデルがないため、比べる対象がありません。</translation>
    </message>
    <message>
        <source>The previous model could not be checked.</source>
        <translation>以前のモデルを調べられませんでした。</translation>
    </message>
    <message>
        <source>The images this run made are in %1</source>
        <translation>この実行で作った画像は %1 にあります</translation>
    </message>
    <message>
        <source>This run&apos;s generated images have been deleted.</source>
        <translation>この実行で生成した画像は削除済みです。</translation>
    </message>
    <message>
        <source>This run generated no images: it trained on the folders you chose.</source>
        <translation>この実行では画像を生成していません。選んだフォルダーの画像で学習しました。</translation>
    </message>
    <message>
        <source>Not recommended: the training diverged (its loss ran away) and was stopped. The result keeps the best weights before that; discard it unless the comparison shows it helps.</source>
        <translation>おすすめしません：学習が発散した（損失が暴走した）ため停止しました。結果にはその前の最良の重みが残っています。比較で改善が示されない限り破棄してください。</translation>
    </message>
    <message>
        <source>Not recommended: the new model is worse than the model you use now on the held-out images (AUC %1 against %2). Keep the current model and discard this one.</source>
        <translation>おすすめしません：検証用の画像で、新しいモデルは現在のモデルより劣っています（AUC %1、現在は %2）。現在のモデルを使い続け、このモデルは破棄してください。</translation>
    </message>
    <message>
        <source>Install anyway?</source>
        <translation>それでもインストールしますか？</translation>
    </message>
    <message>
        <source>Install it anyway?</source>
        <translation>それでもインストールしますか？</translation>
    </message>
    <message>
        <source>Checking and installing the model…</source>
        <translation>モデルを確認してインストールしています…</translation>
    </message>
    <message>
        <source>The model was not installed: %1</source>
        <translation>モデルはインストールされませんでした：%1</translation>
    </message>
    <message>
        <source>Installed %1; the next scans use it.</source>
        <translation>%1 をインストールしました。次回からのスキャンで使われます。</translation>
    </message>
    <message>
        <source>Installed %1. Choose it in Models… to scan with it.</source>
        <translation>%1 をインストールしました。スキャンに使うには「モデル…」で選んでください。</translation>
    </message>
    <message>
        <source>Discard the model</source>
        <translation>モデルを破棄</translation>
    </message>
    <message>
        <source>Discard the new model? It is deleted; the generated images are kept.</source>
        <translation>新しいモデルを破棄しますか？モデルは削除され、生成した画像は残ります。</translation>
    </message>
    <message>
        <source>The new model was discarded. Nothing was installed.</source>
        <translation>新しいモデルを破棄しました。何もインストールされていません。</translation>
    </message>
    <message>
        <source>Delete the generated images</source>
        <translation>生成した画像を削除</translation>
    </message>
    <message>
        <source>Delete the images this run made (in %1)? They cannot be recovered.</source>
        <translation>この実行で作った画像（%1 内）を削除しますか？元に戻すことはできません。</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>結果</translation>
    </message>
    <message>
        <source>How well the new model tells AI images from human-made ones it has never seen, beside the model you used before. Install it only if it is better for your images.</source>
        <translation>見たことのない画像で、新しいモデルが AI 画像と人が制作した画像をどれだけ見分けられるかを、以前のモデルと並べて示します。あなたの画像でより良い場合にだけインストールしてください。</translation>
    </message>
    <message>
        <source>Install and use</source>
        <translation>インストールして使う</translation>
    </message>
    <message>
        <source>Install only</source>
        <translation>インストールのみ</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>破棄</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>フォルダーを開く</translation>
    </message>
    <message>
        <source>Delete generated images</source>
        <translation>生成した画像を削除</translation>
    </message>
    <message>
        <source>ROC curve (top left = perfect)</source>
        <translation>ROC 曲線（左上 = 完璧）</translation>
    </message>
    <message>
        <source>human-made images flagged</source>
        <translation>AI と誤判定された人の画像の割合</translation>
    </message>
    <message>
        <source>AI images caught</source>
        <translation>見抜けた AI 画像の割合</translation>
    </message>
    <message>
        <source>No ROC curve</source>
        <translation>ROC 曲線なし</translation>
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
    <name>RetrainWizard</name>
    <message>
        <source>Finish</source>
        <translation>完了</translation>
    </message>
    <message>
        <source>Next &gt;</source>
        <translation>次へ &gt;</translation>
    </message>
    <message>
        <source>Stop and close</source>
        <translation>停止して閉じる</translation>
    </message>
    <message>
        <source>A job is still running. Stop it and close the wizard? The work done so far is kept: reopen the wizard to continue.</source>
        <translation>処理がまだ実行中です。停止してウィザードを閉じますか？ここまでの作業は残るので、ウィザードを開き直せば続けられます。</translation>
    </message>
    <message>
        <source>Stopping (training saves a checkpoint first)…</source>
        <translation>停止しています（学習中の場合はまずチェックポイントを保存します）…</translation>
    </message>
    <message>
        <source>Retrain Miwake on your images</source>
        <translation>あなたの画像で Miwake を再学習</translation>
    </message>
    <message>
        <source>Goal</source>
        <translation>目的</translation>
    </message>
    <message>
        <source>Human-made images</source>
        <translation>人が制作した画像</translation>
    </message>
    <message>
        <source>AI images</source>
        <translation>AI 画像</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>画像の作成</translation>
    </message>
    <message>
        <source>Training settings</source>
        <translation>学習の設定</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>結果</translation>
    </message>
    <message>
        <source>&lt; Back</source>
        <translation>&lt; 戻る</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
</context>
<context>
    <name>SdSettingsWidget</name>
    <message>
        <source>Width and height must be multiples of 8.</source>
        <translation>幅と高さは 8 の倍数にしてください。</translation>
    </message>
    <message>
        <source>Images to make:</source>
        <translation>作成する枚数：</translation>
    </message>
    <message>
        <source>Size:</source>
        <translation>サイズ：</translation>
    </message>
    <message>
        <source>Denoising steps:</source>
        <translation>ノイズ除去ステップ数：</translation>
    </message>
    <message>
        <source>Guidance:</source>
        <translation>ガイダンス：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>シード：</translation>
    </message>
    <message>
        <source>Run on:</source>
        <translation>実行先：</translation>
    </message>
    <message>
        <source>Memory:</source>
        <translation>メモリー：</translation>
    </message>
    <message>
        <source>Images per batch:</source>
        <translation>バッチあたりの枚数：</translation>
    </message>
    <message>
        <source>the model&apos;s own (512, 768 or 1024 px)</source>
        <translation>モデル標準（512・768・1024 px）</translation>
    </message>
    <message>
        <source>custom</source>
        <translation>指定</translation>
    </message>
    <message>
        <source>model default (7.5; SDXL 5)</source>
        <translation>モデル標準（7.5、SDXL は 5）</translation>
    </message>
    <message>
        <source>automatic (GPU if any)</source>
        <translation>自動（GPU があれば使用）</translation>
    </message>
    <message>
        <source>CPU only (very slow)</source>
        <translation>CPU のみ（とても遅い）</translation>
    </message>
    <message>
        <source>CPU offload</source>
        <translation>CPU オフロード</translation>
    </message>
    <message>
        <source>For graphics cards with little memory: slower, needs far less GPU memory.</source>
        <translation>メモリーの少ないグラフィックスカード向け：遅くなりますが、GPU メモリーの使用量がずっと少なくなります。</translation>
    </message>
    <message>
        <source>About as many as your human-made images. A stopped run continues where it stopped.</source>
        <translation>人が制作した画像とほぼ同じ枚数が目安です。停止しても、止まったところから続けられます。</translation>
    </message>
    <message>
        <source>Image i uses seed + i, so the same settings make the same images.</source>
        <translation>i 枚目の画像はシード + i を使うので、同じ設定なら同じ画像ができます。</translation>
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
        <source>On the CPU</source>
        <translation>CPU での実行</translation>
    </message>
    <message>
        <source>PyTorch</source>
        <translation>PyTorch</translation>
    </message>
    <message>
        <source>Automatic (the fastest on this CPU)</source>
        <translation>自動（この CPU で最速のもの）</translation>
    </message>
    <message>
        <source>ONNX Runtime</source>
        <translation>ONNX Runtime</translation>
    </message>
    <message>
        <source>PyTorch bf16 (where it keeps the verdicts)</source>
        <translation>PyTorch bf16（判定が変わらない場合のみ）</translation>
    </message>
    <message>
        <source>Automatic times ONNX Runtime, PyTorch and, where the processor has it, PyTorch in bf16 on the first CPU scan of each model, and keeps the fastest. bf16 is only used where it gives every sample the same verdict. The scan&apos;s summary says what scored the files.</source>
        <translation>「自動」は、各モデルを CPU で初めてスキャンするときに ONNX Runtime、PyTorch、（プロセッサが対応していれば）PyTorch bf16 の速度を測り、最速のものを使い続けます。bf16 はすべてのサンプルで判定が同じになる場合にのみ使います。どれで判定したかはスキャンの概要に表示されます。</translation>
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
        <source>the model&apos;s choice</source>
        <translation>モデルの既定値</translation>
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
    <name>TrainSettingsPage</name>
    <message>
        <source>Counting the training images…</source>
        <translation>学習用の画像を数えています…</translation>
    </message>
    <message>
        <source>Checking the graphics card…</source>
        <translation>グラフィックスカードを確認しています…</translation>
    </message>
    <message>
        <source>Training runs on the %1. This is slow: expect hours for a few thousand images. A computer with an NVIDIA graphics card is many times faster.</source>
        <translation>学習は %1 で行います。これは遅く、数千枚の画像なら数時間かかります。NVIDIA のグラフィックスカードを積んだコンピューターなら何倍も速くなります。</translation>
    </message>
    <message>
        <source>Training runs on %1.</source>
        <translation>学習は %1 で行います。</translation>
    </message>
    <message>
        <source>The speed could not be measured.</source>
        <translation>速度を測定できませんでした。</translation>
    </message>
    <message>
        <source>Measuring the training speed on this computer (a few steps)…</source>
        <translation>このコンピューターでの学習速度を測っています（数ステップ）…</translation>
    </message>
    <message>
        <source>No time estimate yet: Measure times a few training steps on this computer (up to a minute).</source>
        <translation>所要時間の見積もりはまだありません。「測定」を押すと、このコンピューターで数ステップ学習して時間を測ります（最大1分ほど）。</translation>
    </message>
    <message>
        <source>The settings changed: press Measure for a new time estimate.</source>
        <translation>設定が変わりました。「測定」を押すと所要時間を見積もり直します。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Estimated training time: about %1&lt;/b&gt; (%2 epochs × %3 steps; measured %4 s per step). An estimate: the real time depends on the images and on what else the computer does.</source>
        <translation>&lt;b&gt;学習の所要時間：約 %1&lt;/b&gt;（%2 エポック × %3 ステップ、測定値 1 ステップ %4 秒）。あくまで見積もりで、実際の時間は画像やコンピューターのほかの作業によって変わります。</translation>
    </message>
    <message>
        <source>ImageNet weights (only if already downloaded on this computer)</source>
        <translation>ImageNet の重み（このコンピューターにダウンロード済みの場合のみ）</translation>
    </message>
    <message>
        <source>Fewer than 2 human-made images are at least %1 px: lower the crop size.</source>
        <translation>%1 px 以上ある人の画像が 2 枚未満です。クロップサイズを小さくしてください。</translation>
    </message>
    <message>
        <source>Fewer than 2 AI images are at least %1 px: lower the crop size.</source>
        <translation>%1 px 以上ある AI 画像が 2 枚未満です。クロップサイズを小さくしてください。</translation>
    </message>
    <message>
        <source>Training settings</source>
        <translation>学習の設定</translation>
    </message>
    <message>
        <source>The defaults suit most cases. The estimate is measured on this computer with these settings.</source>
        <translation>ほとんどの場合は初期設定のままで大丈夫です。所要時間は、このコンピューターでこの設定のまま測って見積もります。</translation>
    </message>
    <message>
        <source>the active model %1 (fine-tuning)</source>
        <translation>使用中のモデル %1（ファインチューニング）</translation>
    </message>
    <message>
        <source>Training data: %1 human-made images (%2 sources) and %3 AI images (%4 sources). Whole sources are held out to validate the model on images from elsewhere: %5 training images, %6 validation images (held out: %7).</source>
        <translation>学習データ: 人が制作した画像 %1 枚（%2 ソース）と AI 画像 %3 枚（%4 ソース）。ほかの出どころの画像で検証するため、ソース単位で取り分けます: 学習用 %5 枚、検証用 %6 枚（取り分けたソース: %7）。</translation>
    </message>
    <message>
        <source>%1 training images are smaller than the crop (%2 px) or unreadable and are left out.</source>
        <translation>学習用の画像のうち %1 枚はクロップ（%2 px）より小さいか読めないため、除外されます。</translation>
    </message>
    <message>
        <source>random weights (needs many more images)</source>
        <translation>ランダムな重み（ずっと多くの画像が必要）</translation>
    </message>
    <message>
        <source>the bundled detector %1 (recommended; works offline)</source>
        <translation>同梱の検出器 %1（推奨・オフラインで使えます）</translation>
    </message>
    <message>
        <source>Start from:</source>
        <translation>出発点：</translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation>アーキテクチャ：</translation>
    </message>
    <message>
        <source>Input:</source>
        <translation>入力：</translation>
    </message>
    <message>
        <source>Crop size:</source>
        <translation>クロップサイズ：</translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation>エポック数：</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>バッチサイズ：</translation>
    </message>
    <message>
        <source>Augmentation:</source>
        <translation>データ拡張：</translation>
    </message>
    <message>
        <source>Train on:</source>
        <translation>学習の実行先：</translation>
    </message>
    <message>
        <source>Any timm model name; the default is a good balance of speed and accuracy.</source>
        <translation>timm のモデル名なら何でも使えます。初期値は速度と精度のバランスが取れています。</translation>
    </message>
    <message>
        <source>crops at full resolution (recommended: keeps the fine traces)</source>
        <translation>元の解像度のままクロップ（おすすめ：細かな痕跡が残ります）</translation>
    </message>
    <message>
        <source>whole image resized</source>
        <translation>画像全体を縮小</translation>
    </message>
    <message>
        <source>Side of the square crops the model looks at. Smaller images are left out.</source>
        <translation>モデルが見る正方形クロップの一辺です。これより小さい画像は除外されます。</translation>
    </message>
    <message>
        <source>Crops per step. Lower it if the graphics card runs out of memory.</source>
        <translation>1 ステップあたりのクロップ数です。グラフィックスカードのメモリーが足りなくなったら下げてください。</translation>
    </message>
    <message>
        <source>re-encode, blur and rescale training crops at random (recommended)</source>
        <translation>学習用クロップをランダムに再圧縮・ぼかし・拡大縮小する（おすすめ）</translation>
    </message>
    <message>
        <source>Without it the model may learn file formats (PNG vs JPEG) instead of how images were made.</source>
        <translation>これがないと、モデルが画像の作られ方ではなくファイル形式（PNG か JPEG か）を覚えてしまうおそれがあります。</translation>
    </message>
    <message>
        <source>automatic (the graphics card if there is one)</source>
        <translation>自動（グラフィックスカードがあれば使用）</translation>
    </message>
    <message>
        <source>CPU only</source>
        <translation>CPU のみ</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>測定</translation>
    </message>
</context>
<context>
    <name>TrainingPage</name>
    <message>
        <source>There are no AI images to train with: go back and add some.</source>
        <translation>学習に使う AI 画像がありません。前に戻って追加してください。</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>開始しています…</translation>
    </message>
    <message>
        <source>Continuing from the last checkpoint…</source>
        <translation>最後のチェックポイントから再開しています…</translation>
    </message>
    <message>
        <source>Preparing the data…</source>
        <translation>データを準備しています…</translation>
    </message>
    <message>
        <source>Waiting for the speed measurement to end…</source>
        <translation>速度の測定が終わるのを待っています…</translation>
    </message>
    <message>
        <source>Stopping: the current step finishes, then a checkpoint is saved (%1 s; after %2 s the job is ended without a new checkpoint)…</source>
        <translation>停止中: 実行中のステップが終わると、チェックポイントを保存します（%1 秒経過。%2 秒を過ぎると新しいチェックポイントなしでジョブを終了します）…</translation>
    </message>
    <message>
        <source>Training: epoch %1 of %2</source>
        <translation>学習中：エポック %1 / %2</translation>
    </message>
    <message>
        <source>Step %1 of %2 · loss %3 · %4 crops/s · about %5 left</source>
        <translation>ステップ %1 / %2 · 損失 %3 · 毎秒 %4 クロップ · 残り約 %5</translation>
    </message>
    <message>
        <source>Validating epoch %1 of %2</source>
        <translation>エポック %1 / %2 を検証中</translation>
    </message>
    <message>
        <source>Checking the model you start from on the validation images…</source>
        <translation>開始時のモデルを検証用の画像で確認しています…</translation>
    </message>
    <message>
        <source>Final validation with the best epoch</source>
        <translation>最良のエポックで最終検証中</translation>
    </message>
    <message>
        <source>Training went wrong: the loss ran away</source>
        <translation>学習に失敗しました：損失が暴走しました</translation>
    </message>
    <message>
        <source>Training diverged (the loss grew instead of falling), so it was stopped. The result keeps the best weights before that — for a fine-tune, usually the model you started from. Try fewer epochs or a lower learning rate; the results page compares it.</source>
        <translation>学習が発散した（損失が下がらず増えた）ため停止しました。結果にはその前の最良の重みが残っています（微調整では通常、開始時のモデルそのものです）。エポック数を減らすか学習率を下げてお試しください。結果ページで比較できます。</translation>
    </message>
    <message>
        <source>Training finished</source>
        <translation>学習が終わりました</translation>
    </message>
    <message>
        <source>Finished early: the validation AUC stopped improving, so more epochs would not have helped. Next: the results.</source>
        <translation>早めに終了しました：検証 AUC が伸びなくなったため、これ以上エポックを重ねても改善しません。次は結果です。</translation>
    </message>
    <message>
        <source>Finished. Next: the results.</source>
        <translation>終了しました。次は結果です。</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>停止しました</translation>
    </message>
    <message>
        <source>Stopped without a new checkpoint: the current step did not finish within %1 s. Continue resumes from the last saved checkpoint.</source>
        <translation>新しいチェックポイントなしで停止しました: 実行中のステップが %1 秒以内に終わりませんでした。「続ける」で最後に保存したチェックポイントから再開します。</translation>
    </message>
    <message>
        <source>Stopped. Continue resumes from the last checkpoint (now or after reopening the wizard).</source>
        <translation>停止しました。「続行」で最後のチェックポイントから再開します（今すぐでも、ウィザードを開き直した後でもかまいません）。</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>The model learns from your images; after each epoch it is checked on sources it has not seen. You can stop at any time, even close Miwake: the training continues from its last checkpoint.</source>
        <translation>モデルがあなたの画像から学習し、エポックごとに見ていないソースで検証します。いつでも停止でき、Miwake を閉じてもかまいません。学習は最後のチェックポイントから続けられます。</translation>
    </message>
    <message>
        <source>Retry with batch size %1 (starts again)</source>
        <translation>バッチサイズ %1 でやり直す（最初から）</translation>
    </message>
    <message>
        <source>training loss</source>
        <translation>学習の損失</translation>
    </message>
    <message>
        <source>as the files are</source>
        <translation>ファイルそのまま</translation>
    </message>
    <message>
        <source>re-encoded as JPEG</source>
        <translation>JPEG に再圧縮</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>学習の損失</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>エポック</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>損失</translation>
    </message>
    <message>
        <source>The loss appears after the first steps</source>
        <translation>最初の数ステップの後に損失が表示されます</translation>
    </message>
    <message>
        <source>Validation AUC (1.0 = perfect)</source>
        <translation>検証 AUC（1.0 = 完璧）</translation>
    </message>
    <message>
        <source>AUC</source>
        <translation>AUC</translation>
    </message>
    <message>
        <source>Appears after each epoch</source>
        <translation>エポックごとに表示されます</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>続行</translation>
    </message>
    <message>
        <source>Retry on the CPU (starts again)</source>
        <translation>CPU でやり直す（最初から）</translation>
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
