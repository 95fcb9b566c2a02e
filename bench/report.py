"""Plain-text tables for the benchmark scripts: one row per measurement, columns aligned, so two runs
can be compared line by line."""


def table(headers: list[str], rows: list[list[str]], indent: str = "  ") -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = [
        indent
        + "  ".join(
            str(cell).rjust(width) if n else str(cell).ljust(width)
            for n, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in (headers, *rows)
    ]
    return "\n".join(line.rstrip() for line in lines)
