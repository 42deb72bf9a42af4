#!/usr/bin/env python3
"""Check a STIX 2.1 bundle, or a TAXII 2.1 envelope of STIX objects, against
the rules of the STIX 2.1 specification (OASIS, 10 June 2021) that a
receiver relies on. Written from the specification's text; no schema files.

What is checked, per object:
  * common properties: type (3..250 of a-z 0-9 -), spec_version "2.1"
    (required but on SCOs), id "type--UUID" whose type is the object's and
    whose UUID is RFC 9562 version 4 or 5; created/modified on SDOs, SROs,
    extension-definitions and language-content (timestamps "...Z",
    millisecond precision at least, modified >= created); created on
    marking-definitions; property names (a-z A-Z 0-9 _, 3..250, "id"
    excepted); no null values, no empty lists (section 3.1)
  * type-specific required properties: identity name; indicator pattern,
    pattern_type, valid_from (valid_until after it); observed-data
    first_observed <= last_observed, number_observed 1..999999999,
    object_refs; sighting sighting_of_ref, count 0..999999999, first_seen <=
    last_seen; report name, published, object_refs; incident name;
    marking-definition definition_type and definition (TLP levels, and the
    predefined TLP ids carrying their own level); extension-definition
    created_by_ref, name, schema, version, extension_types; ipv4-addr and
    ipv6-addr value
  * kill_chain_phases and external_references entries
  * extensions: keys are extension-definition ids present in the bundle
    (or the spec's predefined "-ext" names); property extensions say so
  * every *_ref / *_refs names an object in the bundle, of a type the
    property allows; no id appears twice with the same modified time

Module:  validate(doc) -> [violation, ...];  validate_text(str) -> [...]
CLI:     stix_validate.py FILE... ("-" for stdin); prints "FILE: ok (N
         objects)" or one line per violation and exits 1.
"""
import datetime
import ipaddress
import json
import re
import sys

TYPE_RE = re.compile(r"^[a-z0-9-]{3,250}$")
PROP_RE = re.compile(r"^[a-zA-Z0-9_]{3,250}$")
UUID_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{12}$")
TS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$")

SDO_TYPES = {
    "attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
    "indicator", "infrastructure", "intrusion-set", "location", "malware", "malware-analysis",
    "note", "observed-data", "opinion", "report", "threat-actor", "tool", "vulnerability"}
SRO_TYPES = {"relationship", "sighting"}
SCO_TYPES = {
    "artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message",
    "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process",
    "software", "url", "user-account", "windows-registry-key", "x509-certificate"}
META_VERSIONED = {"extension-definition", "language-content"}

# STIX 2.1 section 7.2.1.4: the predefined TLP markings.
TLP_IDS = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "white",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
EXTENSION_TYPES = {"new-sdo", "new-sco", "new-sro", "property-extension",
                   "toplevel-property-extension"}

# Which types a reference property may name (None: any object).
REF_TYPES = {
    "created_by_ref": {"identity"},
    "object_marking_refs": {"marking-definition"},
    "sighting_of_ref": SDO_TYPES,
    "observed_data_refs": {"observed-data"},
    "where_sighted_refs": {"identity", "location"},
    "object_refs": None,
}


def parse_ts(s):
    """A STIX timestamp to (datetime, fraction digits), or None."""
    if not isinstance(s, str):
        return None
    m = TS_RE.match(s)
    if not m:
        return None
    frac = m.group(7) or ""
    try:
        dt = datetime.datetime(*(int(m.group(i)) for i in range(1, 7)),
                               tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    # compare at nanosecond precision through an integer
    micro = int((frac + "000000000")[:9])
    return (int(dt.timestamp()) * 10**9 + micro, len(frac))


def id_type(ref):
    return ref.split("--", 1)[0] if isinstance(ref, str) and "--" in ref else None


class Checker:
    def __init__(self):
        self.errors = []

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    # ---- pieces --------------------------------------------------------------------

    def check_id(self, where, ref, want_type=None):
        if not isinstance(ref, str) or "--" not in ref:
            self.err(where, f"id {ref!r} is not 'type--UUID'")
            return False
        t, u = ref.split("--", 1)
        if not TYPE_RE.match(t):
            self.err(where, f"id {ref!r}: bad type part")
            return False
        m = UUID_RE.match(u)
        if not m:
            self.err(where, f"id {ref!r}: not a lower-case UUID")
            return False
        if m.group(1) not in "45":
            self.err(where, f"id {ref!r}: UUID version {m.group(1)}, expected 4 or 5")
        if m.group(2) not in "89ab":
            self.err(where, f"id {ref!r}: UUID variant is not RFC 9562's")
        if want_type and t != want_type:
            self.err(where, f"id {ref!r} does not start with its type '{want_type}--'")
        return True

    def check_ts(self, where, obj, prop, required=False, millis=False):
        if prop not in obj:
            if required:
                self.err(where, f"missing {prop}")
            return None
        ts = parse_ts(obj[prop])
        if ts is None:
            self.err(where, f"{prop} {obj[prop]!r} is not a timestamp YYYY-MM-DDTHH:MM:SS[.s+]Z")
            return None
        if millis and ts[1] < 3:
            self.err(where, f"{prop} {obj[prop]!r}: not precise to the millisecond")
        return ts[0]

    def check_str(self, where, obj, prop, required=True):
        if prop not in obj:
            if required:
                self.err(where, f"missing {prop}")
            return
        if not isinstance(obj[prop], str) or not obj[prop]:
            self.err(where, f"{prop} must be a non-empty string")

    def check_int(self, where, obj, prop, lo, hi, required=False):
        if prop not in obj:
            if required:
                self.err(where, f"missing {prop}")
            return
        v = obj[prop]
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            self.err(where, f"{prop} {v!r}: expected an integer {lo}..{hi}")

    def check_values(self, where, value, path):
        """No nulls and no empty lists anywhere (section 3.1)."""
        if value is None:
            self.err(where, f"{path} is null")
        elif isinstance(value, list):
            if not value:
                self.err(where, f"{path} is an empty list")
            for i, v in enumerate(value):
                self.check_values(where, v, f"{path}[{i}]")
        elif isinstance(value, dict):
            for k, v in value.items():
                self.check_values(where, v, f"{path}.{k}")

    # ---- per object ---------------------------------------------------------------

    def common(self, where, o):
        t = o.get("type")
        if not isinstance(t, str) or not TYPE_RE.match(t):
            self.err(where, f"type {t!r}: expected 3..250 characters of a-z, 0-9, '-'")
            return None
        if "id" not in o:
            self.err(where, "missing id")
        else:
            self.check_id(where, o["id"], t)
        if t not in SCO_TYPES or "spec_version" in o:
            if o.get("spec_version") != "2.1":
                self.err(where, f"spec_version {o.get('spec_version')!r}, expected '2.1'")
        for k, v in o.items():
            if k != "id" and not PROP_RE.match(k):
                self.err(where, f"property name {k!r}: expected 3..250 of a-z A-Z 0-9 _")
            self.check_values(where, v, k)
        if t in SDO_TYPES or t in SRO_TYPES or t in META_VERSIONED:
            c = self.check_ts(where, o, "created", True, True)
            m = self.check_ts(where, o, "modified", True, True)
            if c is not None and m is not None and m < c:
                self.err(where, "modified is before created")
        elif t == "marking-definition":
            self.check_ts(where, o, "created", True, True)
        return t

    def kill_chain(self, where, o):
        for i, p in enumerate(o.get("kill_chain_phases") or []):
            if not isinstance(p, dict):
                self.err(where, f"kill_chain_phases[{i}] is not an object")
                continue
            for k in ("kill_chain_name", "phase_name"):
                self.check_str(f"{where} kill_chain_phases[{i}]", p, k)

    def external_refs(self, where, o):
        for i, r in enumerate(o.get("external_references") or []):
            w = f"{where} external_references[{i}]"
            if not isinstance(r, dict):
                self.err(w, "not an object")
                continue
            self.check_str(w, r, "source_name")
            if not any(k in r for k in ("description", "url", "external_id")):
                self.err(w, "needs description, url or external_id")

    def specific(self, where, t, o):
        if t in ("identity", "incident", "report", "extension-definition"):
            self.check_str(where, o, "name")
        if t == "identity" and "identity_class" in o:
            self.check_str(where, o, "identity_class")
        elif t == "indicator":
            self.check_str(where, o, "pattern")
            self.check_str(where, o, "pattern_type")
            vf = self.check_ts(where, o, "valid_from", True)
            vu = self.check_ts(where, o, "valid_until")
            if vf is not None and vu is not None and vu <= vf:
                self.err(where, "valid_until is not after valid_from")
        elif t == "observed-data":
            a = self.check_ts(where, o, "first_observed", True)
            b = self.check_ts(where, o, "last_observed", True)
            if a is not None and b is not None and b < a:
                self.err(where, "last_observed is before first_observed")
            self.check_int(where, o, "number_observed", 1, 999999999, True)
            if "object_refs" not in o and "objects" not in o:
                self.err(where, "missing object_refs")
        elif t == "sighting":
            if "sighting_of_ref" not in o:
                self.err(where, "missing sighting_of_ref")
            self.check_int(where, o, "count", 0, 999999999)
            a = self.check_ts(where, o, "first_seen")
            b = self.check_ts(where, o, "last_seen")
            if a is not None and b is not None and b < a:
                self.err(where, "last_seen is before first_seen")
        elif t == "report":
            self.check_ts(where, o, "published", True)
            if not o.get("object_refs"):
                self.err(where, "missing object_refs")
        elif t == "marking-definition":
            self.marking(where, o)
        elif t == "extension-definition":
            for k in ("created_by_ref", "schema", "version"):
                self.check_str(where, o, k)
            et = o.get("extension_types")
            if not isinstance(et, list) or not et:
                self.err(where, "missing extension_types")
            else:
                for e in et:
                    if e not in EXTENSION_TYPES:
                        self.err(where, f"extension_types: unknown {e!r}")
        elif t in ("ipv4-addr", "ipv6-addr"):
            v = o.get("value")
            try:
                net = ipaddress.ip_network(v, strict=False)
                if net.version != (4 if t == "ipv4-addr" else 6):
                    raise ValueError
            except (TypeError, ValueError):
                self.err(where, f"value {v!r} is not an {t[:4]} address or CIDR")
        self.kill_chain(where, o)
        self.external_refs(where, o)

    def marking(self, where, o):
        if "extensions" in o and "definition_type" not in o:
            return  # 2.1: a marking defined by an extension
        self.check_str(where, o, "definition_type")
        d = o.get("definition")
        if not isinstance(d, dict):
            self.err(where, "missing definition")
            return
        if o.get("definition_type") == "tlp":
            if d.get("tlp") not in ("white", "green", "amber", "red"):
                self.err(where, f"definition.tlp {d.get('tlp')!r}: expected white, green, amber "
                                "or red")
            want = TLP_IDS.get(o.get("id"))
            if want and d.get("tlp") != want:
                self.err(where, f"the predefined TLP:{want.upper()} id with tlp {d.get('tlp')!r}")

    # ---- across objects -----------------------------------------------------------

    def refs(self, where, value, ids, path=""):
        """Every *_ref / *_refs, at any depth, names an object in the bundle."""
        if isinstance(value, dict):
            for k, v in value.items():
                p = f"{path}.{k}" if path else k
                if k.endswith("_ref"):
                    self.one_ref(where, p, k, v, ids)
                elif k.endswith("_refs"):
                    if not isinstance(v, list):
                        self.err(where, f"{p} is not a list")
                    else:
                        for r in v:
                            self.one_ref(where, p, k, r, ids)
                else:
                    self.refs(where, v, ids, p)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.refs(where, v, ids, f"{path}[{i}]")

    def one_ref(self, where, path, key, ref, ids):
        if not self.check_id(f"{where} {path}", ref):
            return
        if ref not in ids:
            self.err(where, f"{path} -> {ref}: not in the bundle")
        allowed = REF_TYPES.get(key)
        if allowed and id_type(ref) not in allowed:
            self.err(where, f"{path} -> {ref}: must name one of {', '.join(sorted(allowed))}")

    def extensions(self, where, o, defs):
        ext = o.get("extensions")
        if ext is None:
            return
        if not isinstance(ext, dict):
            self.err(where, "extensions is not an object")
            return
        for k, v in ext.items():
            if k.startswith("extension-definition--"):
                if not self.check_id(f"{where} extensions", k, "extension-definition"):
                    continue
                d = defs.get(k)
                if d is None:
                    self.err(where, f"extensions: {k} is not in the bundle")
                    continue
                if isinstance(v, dict) and v.get("extension_type") == "property-extension" and \
                        "property-extension" not in (d.get("extension_types") or []):
                    self.err(where, f"extensions: {k} does not define a property-extension")
            elif not k.endswith("-ext"):
                self.err(where, f"extensions: key {k!r} is neither an extension-definition id "
                                "nor a predefined '-ext' name")

    def run(self, doc):
        if not isinstance(doc, dict):
            self.err("top", "expected a JSON object (a bundle or a TAXII envelope)")
            return self.errors
        if "type" in doc:
            if doc.get("type") != "bundle":
                self.err("top", f"type {doc.get('type')!r}, expected 'bundle'")
            self.check_id("bundle", doc.get("id"), "bundle")
            if "spec_version" in doc:
                self.err("bundle", "spec_version is not a bundle property in STIX 2.1")
        objs = doc.get("objects")
        if not isinstance(objs, list) or not objs:
            self.err("top", "objects must be a non-empty list")
            return self.errors
        ids, defs, seen = set(), {}, set()
        for o in objs:
            if isinstance(o, dict) and isinstance(o.get("id"), str):
                ids.add(o["id"])
                if o.get("type") == "extension-definition":
                    defs[o["id"]] = o
        for i, o in enumerate(objs):
            where = f"objects[{i}]"
            if not isinstance(o, dict):
                self.err(where, "not an object")
                continue
            where += f" {o.get('id', '?')}"
            t = self.common(where, o)
            if t is None:
                continue
            key = (o.get("id"), o.get("modified"))
            if key in seen:
                self.err(where, "the same id and modified appear twice")
            seen.add(key)
            self.specific(where, t, o)
            self.refs(where, {k: v for k, v in o.items() if k != "extensions"}, ids)
            self.extensions(where, o, defs)
        return self.errors


def validate(doc):
    """Violations of a parsed bundle or envelope ([] when valid)."""
    return Checker().run(doc)


def validate_text(text):
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as e:
        return [f"top: not JSON: {e}"]
    return validate(doc)


def main(argv):
    if len(argv) < 2:
        print("usage: stix_validate.py FILE... ('-' for stdin)", file=sys.stderr)
        return 2
    bad = False
    for name in argv[1:]:
        try:
            if name == "-":
                text = sys.stdin.read()
            else:
                with open(name, encoding="utf-8") as f:
                    text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            print(f"{name}: cannot read: {e}")
            bad = True
            continue
        errors = validate_text(text)
        if errors:
            bad = True
            for e in errors:
                print(f"{name}: {e}")
        else:
            n = len(json.loads(text)["objects"])
            print(f"{name}: ok ({n} objects)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
