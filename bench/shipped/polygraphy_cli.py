"""The `polygraphy` command line, for Debian's torch: it reports its version as "1.13.0a0", which
Polygraphy's lazy version check cannot parse, so torch is hidden from this process (Polygraphy's
ONNX Runtime runner does not need it).  python bench/shipped/polygraphy_cli.py run ..."""
import sys

sys.modules["torch"] = None
from polygraphy.tools import main  # noqa: E402  (the console script's entry point)

if __name__ == "__main__":
    sys.argv[0] = "polygraphy"
    sys.exit(main())
