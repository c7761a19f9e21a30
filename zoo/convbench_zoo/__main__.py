import sys

from convbench_zoo.cli import main

sys.exit(main())
