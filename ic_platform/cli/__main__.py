"""`python -m ic_platform.cli`."""

import sys

from ic_platform.cli import main

sys.exit(main())
