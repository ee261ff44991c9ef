#!/usr/bin/env python3
# Writes the seed corpus of the log entry fuzzer: canonical entries
# (version byte || deterministic accord.v1.AuditEvent wire bytes, encoded by
# hand) of version 1 (pseudonyms named) and version 2 (subject commitments),
# and near misses.
#   tests/fuzz/make_entry_seeds.py tests/fuzz/log_entry/corpus
import hashlib
import os
import sys


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def key(f, t):
    return varint(f << 3 | t)


def vi(f, n):
    return key(f, 0) + varint(n)


def s(f, v):
    v = v.encode() if isinstance(v, str) else v
    return key(f, 2) + varint(len(v)) + v


def reason(rule, code):
    return s(7, (s(1, rule) if rule else b"") + s(2, code))


def detail(k, v):
    return s(11, s(1, k) + s(2, v))


SEEDS = {
    "decision_permit": vi(1, 1) + vi(2, 1700000000) + s(3, "partner-demo")
    + s(4, "rennes.energy.household-consumption")
    + s(5, "research-and-development") + vi(6, 1)
    + reason("r1", "rule_permitted") + s(8, "Zm9vYmFy") + vi(9, 42)
    + s(10, "YWxpY2U") + s(10, "Ym9i")
    + detail("audience", "data.rennes.example") + detail("fields", "day,kwh"),
    "decision_deny": vi(1, 1) + vi(2, 1700000001) + s(3, "adtech")
    + s(4, "rennes.environment.air-quality") + s(5, "marketing") + vi(6, 2)
    + reason("", "no_rule_matched"),
    "consent": vi(1, 2) + vi(2, 1700000002) + s(3, "subject")
    + s(4, "rennes.energy.household-consumption")
    + s(5, "research-and-development") + vi(9, 7) + s(10, "YWxpY2U")
    + detail("consent_id", "c29tZWlk") + detail("state", "GIVEN"),
    "policy": vi(1, 3) + vi(2, 1700000003) + s(3, "producer-demo")
    + s(4, "rennes.mobility.bike-stations") + vi(9, 3) + detail("version", "2"),
    "key": vi(1, 6) + vi(2, 1700000004) + s(3, "operator")
    + detail("kid", "k1") + detail("event", "rotated"),
    "grant_release": vi(1, 7) + vi(2, 1700000005) + s(3, "partner-demo")
    + s(8, "Z3JhbnQ") + vi(9, 99),
    "empty_event": b"",
    "utf8": vi(1, 5) + s(3, "op\u00e9rateur") + detail("note", "\u2713"),
}
SALT = bytes(range(16))
COMMITMENTS = sorted(hashlib.sha256(x).digest() for x in (b"a", b"b"))


def commitments(cs):
    return s(12, SALT) + b"".join(s(13, c) for c in cs) + vi(14, len(cs))


# Version 2: the subjects as sorted commitments, a citizen as "citizen".
SEEDS_V2 = {
    "decision_permit_v2": vi(1, 1) + vi(2, 1726500000) + s(3, "partner-demo")
    + s(4, "rennes.energy.household-consumption")
    + s(5, "research-and-development") + vi(6, 1) + s(8, "g-0001")
    + vi(9, 42) + detail("policy_hash", "abc") + detail("policy_version", "1")
    + commitments(COMMITMENTS),
    "consent_v2": vi(1, 2) + vi(2, 1726500000) + s(3, "citizen")
    + s(4, "rennes.energy.household-consumption")
    + s(5, "research-and-development") + vi(9, 7)
    + detail("consent_id", "c1") + detail("state", "CONSENT_STATE_GIVEN")
    + commitments(COMMITMENTS[:1]),
}
NEAR_MISSES = {
    "bad_version": b"\x03" + vi(1, 1),
    "v2_names_subject": b"\x02" + vi(1, 1) + s(10, "alice"),
    "v2_commitments_unsorted": b"\x02" + vi(1, 1)
    + commitments(list(reversed(COMMITMENTS))),
    "v1_with_commitments": b"\x01" + vi(1, 1) + commitments(COMMITMENTS),
    "bad_order": b"\x01" + vi(2, 5) + vi(1, 1),
    "bad_varint": b"\x01" + key(1, 0) + b"\x81\x00",
    "unknown_field": b"\x01" + vi(1, 1) + vi(99, 1),
    "detail_unsorted": b"\x01" + detail("b", "1") + detail("a", "2"),
}

out = sys.argv[1]
for name, body in SEEDS.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(b"\x01" + body)
for name, body in SEEDS_V2.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(b"\x02" + body)
for name, entry in NEAR_MISSES.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(entry)
