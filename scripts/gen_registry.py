#!/usr/bin/env python3
"""Generate src/util/registry_data.c: the value-to-name and per-suite property tables.

Usage (from the repo root; `make registry` runs this):
    python3 scripts/gen_registry.py ../shared/data data src/util/registry_data.c

Inputs, read in place and never copied into the repo:
    SHARED/iana/tls-parameters-4.csv     IANA cipher suites (names)
    SHARED/iana/tls-parameters-8.csv     IANA supported groups
    SHARED/iana/tls-signaturescheme.csv  IANA signature schemes
    SHARED/cipher_suites_props.tsv       per suite: kx, forward secrecy, mode, RFC 7540 App. A
    DATA/alerts.tsv, DATA/handshake_types.tsv, DATA/extensions.tsv,
    DATA/content_types.tsv, DATA/ats_suites.tsv  (short tables kept in the repo)

The output is deterministic (sorted by code, no dates) and is only rewritten when its
content changes, so make does not rebuild needlessly. Any disagreement between the
inputs (a name that differs between IANA and the props table, an unknown token, a
duplicate code) stops the generation: a silent guess would end up in user reports.
"""

import csv
import hashlib
import os
import re
import sys
import tempfile

# props kx token -> enum reg_kx. anon suites are ephemeral (Diffie-Hellman parameters in
# ServerKeyExchange), so they map to DHE/ECDHE; they are unauthenticated, which the name says.
KX_MAP = {
    "NULL": "REG_KX_NULL",
    "RSA": "REG_KX_RSA",
    "RSA_EXPORT": "REG_KX_RSA",
    "DH_DSS": "REG_KX_DH",
    "DH_RSA": "REG_KX_DH",
    "DH_DSS_EXPORT": "REG_KX_DH",
    "DH_RSA_EXPORT": "REG_KX_DH",
    "DHE_DSS": "REG_KX_DHE",
    "DHE_RSA": "REG_KX_DHE",
    "DHE_DSS_EXPORT": "REG_KX_DHE",
    "DHE_RSA_EXPORT": "REG_KX_DHE",
    "DH_anon": "REG_KX_DHE",
    "DH_anon_EXPORT": "REG_KX_DHE",
    "ECDH_ECDSA": "REG_KX_ECDH",
    "ECDH_RSA": "REG_KX_ECDH",
    "ECDHE_ECDSA": "REG_KX_ECDHE",
    "ECDHE_RSA": "REG_KX_ECDHE",
    "ECDH_anon": "REG_KX_ECDHE",
    "PSK": "REG_KX_PSK",
    "DHE_PSK": "REG_KX_DHE_PSK",
    "PSK_DHE": "REG_KX_DHE_PSK",
    "ECDHE_PSK": "REG_KX_ECDHE_PSK",
    "RSA_PSK": "REG_KX_RSA_PSK",
    "SRP_SHA": "REG_KX_SRP",
    "SRP_SHA_RSA": "REG_KX_SRP",
    "SRP_SHA_DSS": "REG_KX_SRP",
    "KRB5": "REG_KX_KRB5",
    "KRB5_EXPORT": "REG_KX_KRB5",
    "TLS13": "REG_KX_TLS13",
    "ECCPWD": "REG_KX_OTHER",
    "GOSTR341112_256": "REG_KX_OTHER",
    # Signalling values (RFC 5746, RFC 7507), not key exchanges: kx and mode UNKNOWN.
    "SCSV": "REG_KX_UNKNOWN",
}

# props forward_secrecy -> bool. "yes(unless psk_ke)": TLS 1.3 is forward secret unless
# the PSK-only mode is chosen, which the suite cannot tell; "yes(pwd)": ECCPWD is ephemeral.
FS_MAP = {
    "yes": True,
    "yes(unless psk_ke)": True,
    "yes(pwd)": True,
    "ephemeral-unauth": True,
    "no": False,
    "-": False,
}

MODE_MAP = {
    "NULL": "REG_MODE_NULL",
    "RC4": "REG_MODE_STREAM",
    "CBC": "REG_MODE_CBC",
    "AEAD": "REG_MODE_AEAD",
    "-": "REG_MODE_UNKNOWN",
}

# Corrections to the derived props table, each with its reason.
OVERRIDES = {
    # RFC 9367: GOST suites for TLS 1.3 (IANA reference draft-smyshlyaev-tls13-gost-suites);
    # key exchange comes from key_share like every TLS 1.3 suite.
    0xC103: {"kx": "REG_KX_TLS13", "fs": True},
    0xC104: {"kx": "REG_KX_TLS13", "fs": True},
    0xC105: {"kx": "REG_KX_TLS13", "fs": True},
    0xC106: {"kx": "REG_KX_TLS13", "fs": True},
    # RFC 9150: integrity-only TLS 1.3 suites; no encryption at all.
    0xC0B4: {"mode": "REG_MODE_NULL"},
    0xC0B5: {"mode": "REG_MODE_NULL"},
    # RFC 9189: CTR/CNT (counter mode) with OMAC/IMIT: stream ciphers in TLS 1.2 terms.
    0xC100: {"mode": "REG_MODE_STREAM"},
    0xC101: {"mode": "REG_MODE_STREAM"},
    0xC102: {"mode": "REG_MODE_STREAM"},
}

NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")


class GenError(Exception):
    pass


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def is_grease(v):
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)


def check_name(name, where):
    if not NAME_RE.match(name):
        raise GenError(f"{where}: name {name!r} is not a plain identifier")


def read_iana_suites(path):
    """Single-value rows with a TLS_ name; ranges, Reserved and Unassigned are skipped."""
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)
        for row in rows:
            m = re.fullmatch(r"0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2})", row[0].strip())
            if not m:
                continue
            name = row[1].strip()
            if not name.startswith("TLS_"):
                continue
            code = int(m.group(1), 16) << 8 | int(m.group(2), 16)
            check_name(name, f"{path}: 0x{code:04X}")
            if code in out:
                raise GenError(f"{path}: duplicate 0x{code:04X}")
            out[code] = name
    return out


def read_props(path):
    """Returns (provenance line, {code: row dict})."""
    provenance = ""
    out = {}
    header = None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("#"):
                if not provenance:
                    provenance = line.lstrip("# ").strip()
                continue
            if not line.strip():
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
                continue
            row = dict(zip(header, cols))
            code = int(row["code"], 16)
            if code in out:
                raise GenError(f"{path}:{lineno}: duplicate 0x{code:04X}")
            out[code] = row
    return provenance, out


def read_iana_names(path, value_base, strip_paren):
    """Name registries (groups, signature schemes): single values with a real name."""
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)
        for row in rows:
            value = row[0].strip()
            name = row[1].strip()
            if "-" in value or not value:
                continue
            if name.startswith("Reserved") or name.startswith("Unassigned"):
                continue
            code = int(value, value_base)
            if strip_paren:
                # "X25519Kyber768Draft00 (OBSOLETE)": the name is the token before the note.
                name = re.sub(r"\s*\(.*\)$", "", name)
            check_name(name, f"{path}: {value}")
            if code > 0xFFFF:
                raise GenError(f"{path}: value {value} out of range")
            if code in out:
                raise GenError(f"{path}: duplicate {value}")
            out[code] = name
    return out


def read_tsv(path, maxval):
    """Repo TSV: '#' comments, then value<TAB>name[<TAB>reference]."""
    out = {}
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if not lines or not lines[0].startswith("#"):
        raise GenError(f"{path}: the first line must be a comment naming the sources")
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2:
            raise GenError(f"{path}:{lineno}: expected value<TAB>name")
        try:
            code = int(cols[0], 0)
        except ValueError:
            raise GenError(f"{path}:{lineno}: bad value {cols[0]!r}") from None
        if not 0 <= code <= maxval:
            raise GenError(f"{path}:{lineno}: value {cols[0]} out of range")
        check_name(cols[1], f"{path}:{lineno}")
        if code in out:
            raise GenError(f"{path}:{lineno}: duplicate value {cols[0]}")
        out[code] = cols[1]
    return out


def build_suites(iana, props, ats):
    missing = sorted(set(iana) ^ set(props))
    if missing:
        raise GenError("IANA suites and props table differ at: "
                       + ", ".join(f"0x{c:04X}" for c in missing))
    for code, name in ats.items():
        if iana.get(code) != name:
            raise GenError(f"ats_suites.tsv: 0x{code:04X} {name} is not that IANA suite")
    suites = []
    for code in sorted(iana):
        row = props[code]
        if row["name"] != iana[code]:
            raise GenError(f"0x{code:04X}: IANA says {iana[code]}, props says {row['name']}")
        try:
            kx = KX_MAP[row["kx"]]
            fs = FS_MAP[row["forward_secrecy"]]
            mode = MODE_MAP.get(row["cipher_mode"])
        except KeyError as e:
            raise GenError(f"0x{code:04X}: unknown props token {e}") from None
        h2 = {"yes": True, "no": False}.get(row["h2_rfc7540_appendixA"])
        if h2 is None:
            raise GenError(f"0x{code:04X}: bad h2 column {row['h2_rfc7540_appendixA']!r}")
        ov = OVERRIDES.get(code, {})
        kx = ov.get("kx", kx)
        fs = ov.get("fs", fs)
        mode = ov.get("mode", mode)
        if mode is None:
            raise GenError(f"0x{code:04X}: cipher mode {row['cipher_mode']!r} needs an override")
        suites.append({
            "code": code,
            "name": iana[code],
            "kx": kx,
            "fs": fs,
            "mode": mode,
            "h2": h2,
            "ats": code in ats,
            "export": "_EXPORT" in iana[code],
        })
    # The h2 block list is frozen at 276 entries (RFC 7540 Appendix A, RFC 9113 Appendix A).
    n_h2 = sum(1 for s in suites if s["h2"])
    if n_h2 != 276:
        raise GenError(f"RFC 7540 Appendix A has 276 suites, props marks {n_h2}")
    return suites


def c_bool(b):
    return "true" if b else "false"


def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit_names(out, table, name, comment):
    out.append(f"/* {comment} */")
    out.append(f"const struct reg_name {name}[] = {{")
    for code in sorted(table):
        out.append(f"    {{.code = 0x{code:04x}, .name = {c_str(table[code])}}},")
    out.append("};")
    out.append(f"const size_t {name}_len = sizeof {name} / sizeof {name}[0];")
    out.append("")


def generate(shared, data):
    src = {
        "suites": os.path.join(shared, "iana", "tls-parameters-4.csv"),
        "groups": os.path.join(shared, "iana", "tls-parameters-8.csv"),
        "sigs": os.path.join(shared, "iana", "tls-signaturescheme.csv"),
        "props": os.path.join(shared, "cipher_suites_props.tsv"),
        "alerts": os.path.join(data, "alerts.tsv"),
        "handshakes": os.path.join(data, "handshake_types.tsv"),
        "extensions": os.path.join(data, "extensions.tsv"),
        "content_types": os.path.join(data, "content_types.tsv"),
        "ats": os.path.join(data, "ats_suites.tsv"),
    }
    iana = read_iana_suites(src["suites"])
    provenance, props = read_props(src["props"])
    groups = read_iana_names(src["groups"], 10, strip_paren=True)
    sigs = read_iana_names(src["sigs"], 16, strip_paren=False)
    alerts = read_tsv(src["alerts"], 0xFF)
    handshakes = read_tsv(src["handshakes"], 0xFF)
    extensions = read_tsv(src["extensions"], 0xFFFF)
    content_types = read_tsv(src["content_types"], 0xFF)
    ats = read_tsv(src["ats"], 0xFFFF)
    suites = build_suites(iana, props, ats)

    for label, table in (("groups", groups), ("signature schemes", sigs),
                         ("extensions", extensions)):
        for code in table:
            if is_grease(code):
                raise GenError(f"{label}: GREASE value 0x{code:04x} must not get a name")

    def rel(key, root_label):
        root = shared if root_label == "shared" else data
        return os.path.relpath(src[key], root).replace(os.sep, "/")

    out = []
    out.append("/* registry_data.c: GENERATED by scripts/gen_registry.py -- do not edit.")
    out.append(" * Regenerate from the repo root with `make registry`.")
    out.append(" *")
    out.append(" * Sources (sha256 prefix): the IANA TLS registries and their properties,")
    for key in ("suites", "groups", "sigs", "props"):
        out.append(f" *   {rel(key, 'shared'):<49} {sha256_of(src[key])}")
    out.append(" * and this repository's tables:")
    for key in ("alerts", "handshakes", "extensions", "content_types", "ats"):
        out.append(f" *   data/{rel(key, 'data'):<44} {sha256_of(src[key])}")
    out.append(" * cipher_suites_props.tsv says of itself:")
    for chunk in re.findall(r".{1,84}(?:\s|$)", provenance):
        out.append(f" *   {chunk.strip()}")
    out.append(" * Corrections to it, and why: see OVERRIDES in the generator.")
    out.append(" *")
    out.append(" * Every array is sorted by code with no duplicates: registry.c searches them")
    out.append(" * with bsearch and reg_selfcheck() verifies the order. */")
    out.append("")
    out.append('#include "util/registry.h"')
    out.append("")
    out.append(f"/* {len(suites)} IANA cipher suites with their properties. */")
    out.append("const struct reg_suite reg_suite_table[] = {")
    for s in suites:
        out.append(
            f"    {{.code = 0x{s['code']:04X}, .name = {c_str(s['name'])}, .kx = {s['kx']}, "
            f".forward_secret = {c_bool(s['fs'])}, .mode = {s['mode']}, "
            f".h2_blocklisted = {c_bool(s['h2'])}, .ats = {c_bool(s['ats'])}, "
            f".export_grade = {c_bool(s['export'])}}},")
    out.append("};")
    out.append("const size_t reg_suite_table_len = sizeof reg_suite_table / sizeof reg_suite_table[0];")
    out.append("")
    emit_names(out, groups, "reg_group_table", "IANA supported groups (tls-parameters-8).")
    emit_names(out, sigs, "reg_sigscheme_table", "IANA signature schemes.")
    emit_names(out, extensions, "reg_extension_table", "Extension types (data/extensions.tsv).")
    emit_names(out, alerts, "reg_alert_table", "Alert descriptions (data/alerts.tsv).")
    emit_names(out, handshakes, "reg_handshake_table",
               "Handshake message types (data/handshake_types.tsv).")
    emit_names(out, content_types, "reg_content_type_table",
               "Record content types (data/content_types.tsv).")
    return "\n".join(out).rstrip("\n") + "\n"


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return False
    except FileNotFoundError:
        pass
    # Write then rename, so a failed run never leaves half a file behind.
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".registry_data.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return True


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: gen_registry.py SHARED_DATA_DIR REPO_DATA_DIR OUTPUT.c\n"
                         "  e.g. python3 scripts/gen_registry.py ../shared/data data "
                         "src/util/registry_data.c\n")
        return 2
    try:
        text = generate(argv[1], argv[2])
    except (GenError, OSError, KeyError, ValueError) as e:
        sys.stderr.write(f"gen_registry: {e}\n")
        return 1
    changed = write_if_changed(argv[3], text)
    sys.stderr.write(f"gen_registry: {argv[3]} {'written' if changed else 'unchanged'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
