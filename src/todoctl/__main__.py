"""`python -m todoctl` and the `todoctl` console script."""

from todoctl.cli.app import app


def main() -> None:
    app()


if __name__ == "__main__":
    main()
