#!/usr/bin/python3
"""Checks that docs/privacy.md names every column family and every RPC.

usage: check_privacy_doc.py SOURCE_DIR

Column families come from the `Family` enum of broker/store/db.h (kFooBar
is `foo_bar`), RPCs from every `rpc` line of proto/accord/v1/*.proto (as
`Service.Method`). Each must appear in docs/privacy.md between backquotes.
Exits non-zero, naming what is missing, otherwise.
"""
import glob
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
with open(os.path.join(root, "docs/privacy.md"), encoding="utf-8") as f:
    doc = f.read()

with open(os.path.join(root, "broker/store/db.h"), encoding="utf-8") as f:
    header = f.read()
enum = re.search(r"enum Family\b[^{]*\{(.*?)\};", header, re.S)
assert enum, "no Family enum in broker/store/db.h"
families = []
for name in re.findall(r"\bk([A-Z][A-Za-z0-9]*)\b", enum.group(1)):
    if name == "FamilyCount":
        continue
    families.append(re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower())
assert len(families) >= 12, families

rpcs = []
for path in sorted(glob.glob(os.path.join(root, "proto/accord/v1/*.proto"))):
    service = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*service\s+(\w+)", line)
            if m:
                service = m.group(1)
            m = re.match(r"\s*rpc\s+(\w+)\s*\(", line)
            if m:
                assert service, f"rpc outside a service in {path}"
                rpcs.append(f"{service}.{m.group(1)}")
assert len(rpcs) >= 40, rpcs

missing = [f"column family {f}" for f in families if f"`{f}`" not in doc]
missing += [f"RPC {r}" for r in rpcs if f"`{r}`" not in doc]
if missing:
    print("docs/privacy.md does not describe:\n  " + "\n  ".join(missing))
    sys.exit(1)
print(f"docs/privacy.md names all {len(families)} column families and "
      f"{len(rpcs)} RPCs")
