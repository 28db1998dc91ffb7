"""The `weightgrad` command line. For now it only says what it will do."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="weightgrad",
        description="See every weight and gradient of a small computation.",
        epilog='coming next: weightgrad explain "x1*w1 + x2*w2 + b" x1=5 w1=0.7 x2=2 w2=0.3 b=1',
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    parser.parse_args(argv)
    parser.print_help(sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
