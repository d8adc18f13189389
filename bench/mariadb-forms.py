#!/usr/bin/env python3
"""Rewrites one uncompressed MariaDB data file (format 2/3, strings and blobs as hex) into the
escaped raw-byte form (format 4), so the two forms' compressed sizes can be compared with the
zstd tool. Used for the size measurement in bench/README.md ("MariaDB payload size by table").

    bench/mariadb-forms.py PAYLOAD/toc.json data/0004.tsv OUT.tsv
"""
import json
import sys

toc_path, data_file, out_path = sys.argv[1:4]
with open(toc_path) as f:
    toc = json.load(f)
stem = data_file.split("/")[-1].split(".")[0]
table = next(t for t in toc["Tables"] if t["File"].split("/")[-1].split(".")[0] == stem)
hex_columns = [c["Encoding"] == "Hex" for c in table["Columns"]]


def escaped(value: bytes) -> bytes:
    return value.replace(b"\\", b"\\\\").replace(b"\t", b"\\t").replace(b"\n", b"\\n")


with open(toc_path.rsplit("/", 1)[0] + "/" + data_file, "rb") as src, open(out_path, "wb") as out:
    for line in src:
        fields = line[:-1].split(b"\t")
        out.write(b"\t".join(escaped(bytes.fromhex(v.decode())) if is_hex and v != b"\\N" else v
                             for v, is_hex in zip(fields, hex_columns)) + b"\n")
