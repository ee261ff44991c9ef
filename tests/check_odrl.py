#!/usr/bin/python3
"""Checks an ODRL export of `accord policy export --format odrl` as JSON-LD.

usage: check_odrl.py --policy POLICY --dataset-file FILE --producer P
                     [--version N] [--taxonomy PURPOSES] EXPORT

EXPORT is the exported document (a file, or - for stdin). POLICY is the
policy it was exported from (.yaml, .yml or .json), FILE a YAML document
with its `dataset` block (a test suite works), P the producer principal,
N the stored policy version (absent for a local file). PURPOSES is the
taxonomy the DPV mappings come from (default: policy/data/purposes.yaml
beside this script).

The document is expanded with pyld; the only remote context it may name,
http://www.w3.org/ns/odrl.jsonld, is served from the copy in
tests/data/odrl/ (nothing is fetched). Checked: the context loads and
every key of the document is a JSON-LD keyword, a term it defines or a
compact IRI of a prefix it defines (expansion silently drops anything
else); the policy is an odrl:Set with its uid and conflict strategy; and
every rule of POLICY is there, as a permission or prohibition with its
action, target, assigner, assignee, constraints and duties, as expanded
IRIs, and nothing else is. Prints "ok: N rules" and exits 0, or prints
what differs and exits 1.
"""
import argparse
import collections
import datetime
import json
import os
import re
import sys

import yaml
from pyld import jsonld

HERE = os.path.dirname(os.path.abspath(__file__))
ODRL_CONTEXT_URL = "http://www.w3.org/ns/odrl.jsonld"
ODRL_CONTEXT_FILE = os.path.join(HERE, "data", "odrl", "odrl.jsonld")
DEFAULT_TAXONOMY = os.path.join(HERE, "..", "policy", "data", "purposes.yaml")

ODRL = "http://www.w3.org/ns/odrl/2/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
DPV = "https://w3id.org/dpv#"
ACCORD = "urn:accord:odrl:"

NONE = frozenset()
problems = []


def problem(text):
    problems.append(text)


# --- JSON-LD -----------------------------------------------------------------


def load_document(url, options=None):
    """pyld document loader: the vendored ODRL context, nothing else."""
    if url.rstrip("/") in (ODRL_CONTEXT_URL, ODRL_CONTEXT_URL.replace(
            "http://", "https://")):
        with open(ODRL_CONTEXT_FILE) as f:
            return {"contentType": "application/ld+json",
                    "contextUrl": None, "documentUrl": url,
                    "document": json.load(f)}
    raise jsonld.JsonLdError("no network: refusing to load " + url,
                             "jsonld.LoadDocumentError",
                             code="loading document failed")


def context_terms(doc):
    """Every term and prefix the document's @context defines."""
    terms = set()
    contexts = doc.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    for c in contexts:
        if isinstance(c, str):
            c = load_document(c)["document"]["@context"]
        if not isinstance(c, dict):
            problem("@context: unexpected entry %r" % (c,))
            continue
        terms.update(k for k in c if not k.startswith("@"))
    return terms


def check_keys(node, terms, path="$"):
    """Every key is a keyword, a term, or prefix:suffix of a known prefix."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            check_keys(item, terms, "%s[%d]" % (path, i))
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "@context":
            continue
        known = (key.startswith("@") or key in terms or
                 (":" in key and key.split(":", 1)[0] in terms))
        if not known:
            problem("%s: key %r is not defined by the context" % (path, key))
        if key != "@value":
            check_keys(value, terms, "%s.%s" % (path, key))


def ids(values):
    """The set of @id of a list of expanded node references."""
    return {v["@id"] for v in (values or []) if "@id" in v}


def one_id(node, prop):
    found = ids(node.get(prop))
    return next(iter(found)) if len(found) == 1 else None


def operand(values):
    """A rightOperand as a comparable set of ("id", iri) / ("value", v, t)."""
    out = set()
    for v in values or []:
        if "@id" in v:
            out.add(("id", v["@id"]))
        else:
            out.add(("value", v.get("@value"), v.get("@type")))
    return frozenset(out)


def constraint_key(c):
    """An expanded constraint as a comparable tuple."""
    period = c.get(ACCORD + "period")
    return (one_id(c, ODRL + "leftOperand"), one_id(c, ODRL + "operator"),
            operand(c.get(ODRL + "rightOperand")),
            operand(period) if period else None)


def constraints(node, prop):
    return frozenset(constraint_key(c) for c in node.get(prop, []))


def duty_key(d):
    """An expanded duty: (action, refinements, constraints, parties)."""
    action, refinements = None, frozenset()
    for a in d.get(ODRL + "action", []):
        if "@id" in a:
            action = a["@id"]
        else:
            action = one_id(a, RDF_VALUE)
            refinements = constraints(a, ODRL + "refinement")
    parties = tuple(sorted((p, one_id(d, ODRL + p))
                           for p in ("attributedParty", "informedParty")
                           if ODRL + p in d))
    return (action, refinements, constraints(d, ODRL + "constraint"),
            parties)


# --- The source policy, as the export must render it -------------------------


def encode(text):
    return re.sub(r"[^A-Za-z0-9._~-]",
                  lambda m: "".join("%%%02X" % b
                                    for b in m.group(0).encode("utf-8")),
                  text)


def accord_iri(kind, ident):
    return "urn:accord:%s:%s" % (kind, encode(ident))


def seconds(value):
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"(\d+)([smhdw]?)", str(value))
    if not m:
        raise ValueError("bad duration %r" % (value,))
    unit = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    return int(m.group(1)) * unit[m.group(2)]


def xsd_duration(total):
    days, rest = divmod(total, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    out = "P" + ("%dD" % days if days else "")
    if h or m or s or not days:
        out += "T" + ("%dH" % h if h else "") + ("%dM" % m if m else "")
        if s or not (h or m):
            out += "%dS" % s
    return out


def xsd_datetime(value):
    if isinstance(value, datetime.datetime):
        when = value
    else:
        when = datetime.datetime.fromisoformat(str(value).replace("Z",
                                                                  "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.astimezone(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def value(v, t=None):
    return ("value", v, XSD + t if t else None)


def expected_constraint(left, op, right, period=None):
    return (left, ODRL + op, frozenset(right),
            frozenset([period]) if period else None)


def purpose_iri(taxonomy, purpose):
    return taxonomy.get(purpose) or accord_iri("purpose", purpose)


def expected_rule(rule, policy, personal, taxonomy, producer):
    """The constraints and duties a rule must have in the export."""
    permit = rule["effect"] == "permit"
    out = []
    purposes = rule.get("purposes")
    if purposes not in (None, "any"):
        purposes = sorted(set(purposes))
        iris = [("id", purpose_iri(taxonomy, p)) for p in purposes]
        out.append(expected_constraint(
            ODRL + "purpose", "isA" if len(iris) == 1 else "isAnyOf", iris))
    if "not_before" in rule:
        out.append(expected_constraint(
            ODRL + "dateTime", "gteq",
            [value(xsd_datetime(rule["not_before"]), "dateTime")]))
    if "not_after" in rule:
        out.append(expected_constraint(
            ODRL + "dateTime", "lteq",
            [value(xsd_datetime(rule["not_after"]), "dateTime")]))
    if rule.get("locations"):
        out.append(expected_constraint(
            ODRL + "spatial", "isAnyOf",
            [("id", accord_iri("location", l)) for l in rule["locations"]]))
    duties = []
    if permit:
        lifetime = seconds(policy.get("max_lifetime", 300))
        if "max_lifetime" in rule:
            lifetime = min(lifetime, seconds(rule["max_lifetime"]))
        out.append(expected_constraint(
            ODRL + "elapsedTime", "lteq",
            [value(xsd_duration(lifetime), "duration")]))
        if personal:
            subjects = int(policy.get("max_subjects", 1000))
            if "max_subjects" in rule:
                subjects = min(subjects, int(rule["max_subjects"]))
            out.append(expected_constraint(ACCORD + "subjectCount", "lteq",
                                           [value(subjects)]))
        if "quota" in rule:
            q = rule["quota"]
            out.append(expected_constraint(
                ODRL + "count", "lteq", [value(int(q["grants"]))],
                period=value(xsd_duration(seconds(q["per"])), "duration")))
        for kind, v in (rule.get("duties") or {}).items():
            duties.append(expected_duty(kind, v, producer))
    return frozenset(out), collections.Counter(duties)


def expected_duty(kind, v, producer):
    producer_iri = accord_iri("principal", producer)
    if kind == "delete_after":
        return (ODRL + "delete", NONE, frozenset([expected_constraint(
            ODRL + "elapsedTime", "lteq",
            [value(xsd_duration(seconds(v)), "duration")])]), ())
    if kind == "aggregate_min_k":
        return (ODRL + "aggregate", frozenset([expected_constraint(
            ACCORD + "subjectsPerAggregate", "gteq", [value(int(v))])]),
            NONE, ())
    if kind == "attribute":
        return (ODRL + "attribute", frozenset([expected_constraint(
            ACCORD + "attributionText", "eq", [value(str(v))])]), NONE,
            (("attributedParty", producer_iri),))
    if kind == "no_onward_transfer":
        return (ACCORD + "noOnwardTransfer", NONE, NONE, ())
    if kind == "notify_producer":
        return (ODRL + "inform", NONE, NONE,
                (("informedParty", producer_iri),))
    raise ValueError("unknown duty %r" % kind)


def check_assignee(rule, node, where):
    assignees = rule.get("assignees")
    got = node.get(ODRL + "assignee")
    if assignees == "any":
        if got:
            problem("%s: assignee %r for `any`" % (where, got))
        return
    principals = sorted(set(assignees.get("principals") or []))
    categories = sorted(set(assignees.get("categories") or []))
    if not got or len(got) != 1:
        problem("%s: expected one assignee, got %r" % (where, got))
        return
    got = got[0]
    collection = ODRL + "PartyCollection"
    if len(principals) == 1 and not categories:
        if got.get("@id") != accord_iri("principal", principals[0]):
            problem("%s: assignee %r" % (where, got))
        return
    if len(categories) == 1 and not principals:
        if (got.get("@id") != accord_iri("category", categories[0]) or
                got.get("@type") != [collection]):
            problem("%s: assignee %r" % (where, got))
        return
    members = got.get("@reverse", {}).get(ODRL + "partOf", [])
    want = {accord_iri("principal", p) for p in principals}
    want |= {accord_iri("category", c) for c in categories}
    if got.get("@type") != [collection] or ids(members) != want:
        problem("%s: assignee collection %r, want members %r" %
                (where, got, sorted(want)))
    for m in members:
        is_category = m["@id"].startswith("urn:accord:category:")
        if is_category and m.get("@type") != [collection]:
            problem("%s: category member %r not a PartyCollection" %
                    (where, m))


def check_target(rule, node, dataset_iri, where):
    target = node.get(ODRL + "target", [])
    fields = rule.get("fields")
    if not fields:
        if ids(target) != {dataset_iri} or len(target) != 1:
            problem("%s: target %r, want %s" % (where, target, dataset_iri))
        return
    if len(target) != 1:
        problem("%s: target %r" % (where, target))
        return
    t = target[0]
    want = frozenset([expected_constraint(
        ACCORD + "field", "isAnyOf", [value(f) for f in sorted(set(fields))])])
    if (t.get("@type") != [ODRL + "AssetCollection"] or
            ids(t.get(ODRL + "source")) != {dataset_iri} or
            constraints(t, ODRL + "refinement") != want):
        problem("%s: target %r, want the fields %r of %s" %
                (where, t, fields, dataset_iri))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--policy", required=True)
    parser.add_argument("--dataset-file", required=True)
    parser.add_argument("--producer", required=True)
    parser.add_argument("--version", type=int, default=0)
    parser.add_argument("--taxonomy", default=DEFAULT_TAXONOMY)
    parser.add_argument("export")
    args = parser.parse_args()

    text = sys.stdin.read() if args.export == "-" else open(args.export).read()
    doc = json.loads(text)
    with open(args.policy) as f:
        policy = yaml.safe_load(f)
    with open(args.dataset_file) as f:
        dataset = yaml.safe_load(f)["dataset"]
    with open(args.taxonomy) as f:
        taxonomy = {}
        for p in yaml.safe_load(f)["purposes"]:
            dpv = p.get("dpv")
            if dpv:
                taxonomy[p["id"]] = (DPV + dpv[len("dpv:"):]
                                     if dpv.startswith("dpv:") else dpv)
    personal = dataset["classification"] == "PERSONAL"
    dataset_iri = accord_iri("dataset", dataset["id"])
    producer_iri = accord_iri("principal", args.producer)

    # The context: ODRL's, then the document's own prefixes.
    context = doc.get("@context")
    if not (isinstance(context, list) and context and
            context[0] == ODRL_CONTEXT_URL):
        problem("@context must start with %s: %r" % (ODRL_CONTEXT_URL,
                                                     context))
    if isinstance(context, list) and len(context) > 1:
        local = context[1]
        if local.get("dpv") != DPV or local.get("accord") != ACCORD:
            problem("@context: prefixes %r" % (local,))
    try:
        check_keys(doc, context_terms(doc))
        expanded = jsonld.expand(doc, {"documentLoader": load_document})
    except jsonld.JsonLdError as e:
        problem("JSON-LD expansion failed: %s" % (e,))
        return report(0)
    check_iris(expanded)
    if len(expanded) != 1:
        problem("expected one policy node, got %d" % len(expanded))
        return report(0)
    top = expanded[0]

    uid = accord_iri("policy", dataset["id"])
    if args.version:
        uid += ":v%d" % args.version
    if top.get("@id") != uid:
        problem("policy uid %r, want %r" % (top.get("@id"), uid))
    if top.get("@type") != [ODRL + "Set"]:
        problem("policy @type %r" % (top.get("@type"),))
    if one_id(top, ODRL + "conflict") != ODRL + "prohibit":
        problem("conflict %r" % (top.get(ODRL + "conflict"),))
    basis = policy.get("legal_basis", "none")
    want_basis = {"consent": DPV + "Consent",
                  "legitimate_interest_opt_out": DPV + "LegitimateInterest",
                  "none": None}.get(basis,
                                    accord_iri("legal-basis", basis))
    if one_id(top, DPV + "hasLegalBasis") != want_basis:
        problem("legal basis %r, want %r" %
                (top.get(DPV + "hasLegalBasis"), want_basis))

    rules = policy.get("rules") or []
    by_uid = {}
    for kind in ("permission", "prohibition"):
        for node in top.get(ODRL + kind, []):
            by_uid[node.get("@id")] = (kind, node)
    for kind, effect in (("permission", "permit"), ("prohibition",
                                                    "prohibit")):
        want = sum(1 for r in rules if r["effect"] == effect)
        got = len(top.get(ODRL + kind, []))
        if want != got:
            problem("%d %s rules, %d %s entries" % (want, effect, got, kind))
    for rule in rules:
        where = "rule %s" % rule["id"]
        kind, node = by_uid.get("%s:rule:%s" % (uid, encode(rule["id"])),
                                (None, None))
        want_kind = "permission" if rule["effect"] == "permit" else \
            "prohibition"
        if node is None or kind != want_kind:
            problem("%s: no %s with its uid" % (where, want_kind))
            continue
        if one_id(node, ODRL + "action") != ODRL + "use":
            problem("%s: action %r" % (where, node.get(ODRL + "action")))
        if one_id(node, ODRL + "assigner") != producer_iri:
            problem("%s: assigner %r" % (where, node.get(ODRL + "assigner")))
        check_target(rule, node, dataset_iri, where)
        check_assignee(rule, node, where)
        want_constraints, want_duties = expected_rule(
            rule, policy, personal, taxonomy, args.producer)
        got_constraints = constraints(node, ODRL + "constraint")
        differ(where, "constraint", got_constraints, want_constraints)
        got_duties = collections.Counter(
            duty_key(d) for d in node.get(ODRL + "duty", []))
        differ(where, "duty", got_duties, want_duties)
    return report(len(rules))


def differ(where, what, got, want):
    """Reports what is only in the export and what is missing from it."""
    if got == want:
        return
    got, want = collections.Counter(got), collections.Counter(want)
    for extra in (got - want):
        problem("%s: unexpected %s %r" % (where, what, extra))
    for missing in (want - got):
        problem("%s: missing %s %r" % (where, what, missing))


def check_iris(node, path="$"):
    """Every @id and @type of the expanded document is an absolute IRI."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            check_iris(item, "%s[%d]" % (path, i))
        return
    if not isinstance(node, dict):
        return
    for key, v in node.items():
        if key in ("@id", "@type") and "@value" not in node:
            for iri in v if isinstance(v, list) else [v]:
                if not re.match(r"^[a-z][a-z0-9+.-]*:\S+$", iri):
                    problem("%s.%s: %r is not an absolute IRI" %
                            (path, key, iri))
        elif key != "@value":
            check_iris(v, "%s.%s" % (path, key))


def report(rules):
    if problems:
        for p in problems:
            print("FAIL " + p)
        return 1
    print("ok: %d rules" % rules)
    return 0


if __name__ == "__main__":
    sys.exit(main())
