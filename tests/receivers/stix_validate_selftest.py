#!/usr/bin/env python3
"""Self-test of stix_validate.py: a hand-written valid bundle (the shape
soc-forwarder sends) passes, as a bundle and as a TAXII envelope, and each
broken copy of it fails with the violation it was broken for."""
import copy
import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stix_validate  # noqa: E402

AMBER = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
ME = "identity--e927147b-5eda-5752-8501-8fef4b0ac8ac"
EXT = "extension-definition--d626dfea-3f47-5ead-9560-66a32de29e3b"
INC = "incident--e2c2e11f-f940-5415-a5fe-aceb68fe5517"
IP = "ipv4-addr--826fe3cb-56b0-5620-9d30-4c17ed7b24e3"
OD = "observed-data--cdf4a843-6473-5751-9dc7-8e73584e93dc"
IND = "indicator--e5c8b79e-4987-5f82-ad23-ad0a7ffccfe2"
SIG = "sighting--38020bb2-b138-5856-b859-00eff51991fd"
REP = "report--8b471eb5-0e68-5a1b-95db-867ebd996d33"
T0, T1 = "2026-03-01T08:31:00.123Z", "2026-03-01T08:50:30.500Z"


def sdo(typ, oid, **props):
    o = {"type": typ, "spec_version": "2.1", "id": oid, "created_by_ref": ME,
         "created": T0, "modified": T1}
    o.update(props)
    o["object_marking_refs"] = [AMBER]
    return o


GOOD = {
    "type": "bundle",
    "id": "bundle--c44dd469-54be-56ec-86dd-27e5f83eca4f",
    "objects": [
        {"type": "identity", "spec_version": "2.1", "id": ME,
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
         "name": "SOC appliance", "identity_class": "organization",
         "object_marking_refs": [AMBER]},
        {"type": "marking-definition", "spec_version": "2.1", "id": AMBER,
         "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:AMBER",
         "definition": {"tlp": "amber"}},
        {"type": "extension-definition", "spec_version": "2.1", "id": EXT,
         "created_by_ref": ME, "created": "2026-01-01T00:00:00.000Z",
         "modified": "2026-01-01T00:00:00.000Z", "name": "soc-appliance incident",
         "schema": "FORMATS.md", "version": "1.0.0",
         "extension_types": ["property-extension"]},
        sdo("incident", INC, name="SSH brute force",
            kill_chain_phases=[{"kill_chain_name": "mitre-attack",
                                "phase_name": "credential-access"}],
            external_references=[{"source_name": "mitre-attack", "external_id": "T1110"}],
            extensions={EXT: {"extension_type": "property-extension",
                              "incident_id": "INC-2026-000123", "count": 42}}),
        {"type": "ipv4-addr", "spec_version": "2.1", "id": IP, "value": "203.0.113.5"},
        sdo("observed-data", OD, first_observed="2026-03-01T08:30:15.250Z",
            last_observed="2026-03-01T08:45:00.999Z", number_observed=42, object_refs=[IP]),
        sdo("indicator", IND, pattern="[ipv4-addr:value = '203.0.113.5']", pattern_type="stix",
            pattern_version="2.1", valid_from="2026-03-01T08:30:15.250Z"),
        sdo("sighting", SIG, sighting_of_ref=IND, observed_data_refs=[OD],
            where_sighted_refs=[ME], count=42, first_seen="2026-03-01T08:30:15.250Z",
            last_seen="2026-03-01T08:45:00.999Z"),
        sdo("report", REP, name="INC-2026-000123 version 3 (escalated)",
            report_types=["incident"], published=T1,
            object_refs=[ME, AMBER, EXT, INC, IP, OD, IND, SIG]),
    ],
}


def find(doc, oid):
    return next(o for o in doc["objects"] if o["id"] == oid)


def broken(change):
    doc = copy.deepcopy(GOOD)
    change(doc)
    return doc


class Good(unittest.TestCase):
    def test_bundle(self):
        self.assertEqual(stix_validate.validate(GOOD), [])

    def test_envelope(self):
        self.assertEqual(stix_validate.validate({"objects": GOOD["objects"]}), [])

    def test_more_precision_is_fine(self):
        doc = broken(lambda d: find(d, INC).update(modified="2026-03-01T08:50:30.500123Z"))
        self.assertEqual(stix_validate.validate(doc), [])


# (what is broken, the change, a piece of the expected violation)
CASES = [
    ("identity without name", lambda d: find(d, ME).pop("name"), "missing name"),
    ("incident without name", lambda d: find(d, INC).pop("name"), "missing name"),
    ("id of another type", lambda d: find(d, INC).update(id="report--" + INC.split("--")[1]),
     "does not start with its type 'incident--'"),
    ("UUID version 1", lambda d: find(d, IP).update(
        id="ipv4-addr--826fe3cb-56b0-1620-9d30-4c17ed7b24e3"), "UUID version 1"),
    ("upper-case UUID", lambda d: find(d, IP).update(id=IP.upper().replace("IPV4-ADDR", "ipv4-addr")),
     "not a lower-case UUID"),
    ("dangling created_by_ref", lambda d: find(d, INC).update(
        created_by_ref="identity--11111111-1111-4111-8111-111111111111"), "not in the bundle"),
    ("created_by_ref to a report", lambda d: find(d, INC).update(created_by_ref=REP),
     "created_by_ref -> " + REP + ": must name one of identity"),
    ("modified before created", lambda d: find(d, INC).update(modified="2026-03-01T08:00:00.000Z"),
     "modified is before created"),
    ("timestamp with an offset", lambda d: find(d, INC).update(created="2026-03-01T08:31:00.123+07:00"),
     "created '2026-03-01T08:31:00.123+07:00' is not a timestamp"),
    ("February 30th", lambda d: find(d, IND).update(valid_from="2026-02-30T00:00:00Z"),
     "valid_from '2026-02-30T00:00:00Z' is not a timestamp"),
    ("created to the second", lambda d: find(d, INC).update(created="2026-03-01T08:31:00Z"),
     "not precise to the millisecond"),
    ("number_observed 0", lambda d: find(d, OD).update(number_observed=0),
     "number_observed 0: expected an integer 1..999999999"),
    ("number_observed too big", lambda d: find(d, OD).update(number_observed=1000000000),
     "number_observed 1000000000"),
    ("observed window backwards", lambda d: find(d, OD).update(last_observed="2026-03-01T08:00:00.000Z"),
     "last_observed is before first_observed"),
    ("observed-data without refs", lambda d: find(d, OD).pop("object_refs"), "missing object_refs"),
    ("an empty list", lambda d: find(d, IND).update(indicator_types=[]),
     "indicator_types is an empty list"),
    ("a null", lambda d: find(d, IND).update(description=None), "description is null"),
    ("indicator without pattern_type", lambda d: find(d, IND).pop("pattern_type"),
     "missing pattern_type"),
    ("indicator without valid_from", lambda d: find(d, IND).pop("valid_from"), "missing valid_from"),
    ("valid_until before valid_from", lambda d: find(d, IND).update(valid_until="2026-01-01T00:00:00Z"),
     "valid_until is not after valid_from"),
    ("sighting of an SCO", lambda d: find(d, SIG).update(sighting_of_ref=IP),
     "sighting_of_ref -> " + IP + ": must name one of"),
    ("sighting without sighting_of_ref", lambda d: find(d, SIG).pop("sighting_of_ref"),
     "missing sighting_of_ref"),
    ("sighting count negative", lambda d: find(d, SIG).update(count=-1), "count -1"),
    ("where_sighted_refs to an indicator", lambda d: find(d, SIG).update(where_sighted_refs=[IND]),
     "must name one of identity, location"),
    ("report without published", lambda d: find(d, REP).pop("published"), "missing published"),
    ("report ref not in bundle", lambda d: find(d, REP)["object_refs"].append(
        "malware--11111111-1111-4111-8111-111111111111"), "not in the bundle"),
    ("spec_version 2.0", lambda d: find(d, INC).update(spec_version="2.0"),
     "spec_version '2.0', expected '2.1'"),
    ("SDO without spec_version", lambda d: find(d, INC).pop("spec_version"),
     "spec_version None, expected '2.1'"),
    ("bad property name", lambda d: find(d, INC).update({"x": 1}), "property name 'x'"),
    ("extension-definition without schema", lambda d: find(d, EXT).pop("schema"), "missing schema"),
    ("extension-definition without extension_types", lambda d: find(d, EXT).pop("extension_types"),
     "missing extension_types"),
    ("extension type unknown", lambda d: find(d, EXT).update(extension_types=["new-thing"]),
     "extension_types: unknown 'new-thing'"),
    ("extension not in the bundle", lambda d: d["objects"].remove(find(d, EXT)),
     "extensions: " + EXT + " is not in the bundle"),
    ("extension key of another kind", lambda d: find(d, INC)["extensions"].update({"foo": {}}),
     "extensions: key 'foo'"),
    ("TLP id with another level", lambda d: find(d, AMBER).update(definition={"tlp": "red"}),
     "the predefined TLP:AMBER id with tlp 'red'"),
    ("TLP level unknown", lambda d: find(d, AMBER).update(definition={"tlp": "purple"}),
     "definition.tlp 'purple'"),
    ("marking without created", lambda d: find(d, AMBER).pop("created"), "missing created"),
    ("ipv4-addr with an IPv6 value", lambda d: find(d, IP).update(value="2001:db8::1"),
     "is not an ipv4 address"),
    ("kill chain phase without name", lambda d: find(d, INC)["kill_chain_phases"][0].pop("phase_name"),
     "kill_chain_phases[0]: missing phase_name"),
    ("external reference without id/url/description",
     lambda d: find(d, INC)["external_references"][0].pop("external_id"),
     "needs description, url or external_id"),
    ("the same version twice", lambda d: d["objects"].append(copy.deepcopy(find(d, IND))),
     "the same id and modified appear twice"),
    ("bundle with spec_version", lambda d: d.update(spec_version="2.1"),
     "spec_version is not a bundle property"),
    ("bundle id of another type", lambda d: d.update(id="report--" + d["id"].split("--")[1]),
     "does not start with its type 'bundle--'"),
    ("no objects", lambda d: d.update(objects=[]), "objects must be a non-empty list"),
    ("bad type name", lambda d: find(d, IP).update(type="IPv4"), "type 'IPv4'"),
]


class Broken(unittest.TestCase):
    def test_cases(self):
        for what, change, want in CASES:
            with self.subTest(what):
                errors = stix_validate.validate(broken(change))
                self.assertTrue(any(want in e for e in errors),
                                f"{what}: want {want!r} in {errors}")

    def test_not_json(self):
        self.assertEqual(len(stix_validate.validate_text("{")), 1)
        self.assertIn("not JSON", stix_validate.validate_text("{")[0])
        self.assertIn("expected a JSON object", stix_validate.validate_text("[]")[0])


class Cli(unittest.TestCase):
    def run_cli(self, doc):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(doc, f)
        out = io.StringIO()
        try:
            with redirect_stdout(out):
                rc = stix_validate.main(["stix_validate.py", f.name])
        finally:
            os.unlink(f.name)
        return rc, out.getvalue().replace(f.name, "FILE")

    def test_ok(self):
        self.assertEqual(self.run_cli(GOOD), (0, "FILE: ok (9 objects)\n"))

    def test_violations(self):
        rc, out = self.run_cli(broken(lambda d: find(d, IND).pop("pattern")))
        self.assertEqual(rc, 1)
        self.assertEqual(out, f"FILE: objects[6] {IND}: missing pattern\n")


if __name__ == "__main__":
    unittest.main(verbosity=1)
