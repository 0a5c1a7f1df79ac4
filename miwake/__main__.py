import sys

from miwake.cli import main

sys.exit(main())
