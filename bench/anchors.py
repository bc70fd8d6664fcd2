"""The anchors of issue 17's goals, each a whole process of its own, as bare as it can be.

    python bench/anchors.py arrow IN.json OUT.parquet    # pyarrow read_json + write_table
    python bench/anchors.py duckdb IN.json OUT.parquet   # DuckDB COPY (SELECT * FROM read_json) TO parquet
    python bench/anchors.py query STATEMENTS.json        # DuckDB answering one view from Parquet files

bench/side_by_side.py times each of these from the outside (process start to exit), alternating
with the product's command doing the same job. `query` runs the statements of a JSON list in an
in-memory DuckDB (the CREATE VIEWs of the tables and views the view reads, then its SELECT) and
prints the number of rows; nothing of copilot_archive is imported. Each prints one JSON line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def arrow(source: str, target: str) -> dict[str, int]:
    import pyarrow.json as pa_json
    import pyarrow.parquet as pq

    table = pa_json.read_json(source)
    pq.write_table(table, target, compression="zstd")
    return {"rows": table.num_rows, "parquet_bytes": Path(target).stat().st_size}


def duckdb_copy(source: str, target: str) -> dict[str, int]:
    import duckdb

    quoted = {name: "'" + path.replace("'", "''") + "'" for name, path in (("in", source), ("out", target))}
    copy = f"COPY (SELECT * FROM read_json({quoted['in']})) TO {quoted['out']} (FORMAT parquet)"
    counted = duckdb.connect(":memory:").execute(copy).fetchall()  # COPY answers the rows it wrote
    return {"rows": counted[0][0] if counted else -1, "parquet_bytes": Path(target).stat().st_size}


def query(statements_file: str) -> dict[str, int]:
    import duckdb

    statements = json.loads(Path(statements_file).read_text())
    connection = duckdb.connect(":memory:")
    for statement in statements[:-1]:
        connection.execute(statement)
    return {"rows": len(connection.execute(statements[-1]).fetchall())}


def main(argv: list[str]) -> int:
    kind, *paths = argv
    runs = {"arrow": arrow, "duckdb": duckdb_copy, "query": query}
    print(json.dumps(runs[kind](*paths)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
