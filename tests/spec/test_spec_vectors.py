"""SPEC.md is enough to interoperate: its test vectors checked from the page alone.

Every signed message is rebuilt here from the layout SPEC.md describes (domain, then
length-prefixed fields) out of the vectors' parts — never copied from the message hex — and
compared with the message hex the vector gives; then the signature is verified: ed25519 with the
`cryptography` package, SM2 with the curve arithmetic below (SM3 from `cryptography`). The sealed
contacts are opened (X25519 sealed box, SM2 envelope with SM4-GCM), the Automerge change's
framing and hash are checked, the challenge's MAC is recomputed and the postcard messages are
decoded field by field. Only the standard library and `cryptography` are used.

Run: python3 -m pytest tests/spec -q   (pip install cryptography pytest)
The vectors are regenerated from the code by core/tests/spec_vectors.rs (UPDATE_SPEC=1).
"""

import calendar
import hashlib
import hmac
import json
import re
import zlib
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.poly1305 import Poly1305

SPEC = Path(__file__).resolve().parents[2] / "SPEC.md"
FENCE = "```vector name="

# --------------------------------------------------------------------------------------------
# Reading SPEC.md's vector blocks (SPEC.md §0).


def read_vectors():
    vectors = {}
    lines = SPEC.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        if lines[i].startswith(FENCE):
            name = lines[i][len(FENCE):].strip()
            fields, key = {}, None
            i += 1
            while lines[i] != "```":
                line = lines[i]
                if line.startswith("  "):
                    fields[key] += line.strip()
                else:
                    key, _, value = line.partition(":")
                    fields[key] = value[1:] if value.startswith(" ") else value
                i += 1
            assert name not in vectors, f"two blocks named {name}"
            vectors[name] = fields
        i += 1
    return vectors


VECTORS = read_vectors()


def vector(name):
    assert name in VECTORS, f"SPEC.md has no vector {name}"
    v = VECTORS[name]
    assert v, f"the vector {name} is empty: run UPDATE_SPEC=1 cargo test -p hotline-core --test spec_vectors"
    return v


def unhex(text):
    return bytes.fromhex(text)


# --------------------------------------------------------------------------------------------
# SPEC.md §1: the signing encoding.

INSTANT = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$")


def instant(text):
    """(Unix seconds, nanoseconds) of an RFC 3339 UTC instant as hotline writes it."""
    m = INSTANT.match(text)
    assert m, f"not an instant as SPEC.md §0 writes them: {text}"
    secs = calendar.timegm(tuple(int(g) for g in m.groups()[:6]))
    nanos = int((m.group(7) or "").ljust(9, "0"))
    return secs, nanos


class Canonical:
    def __init__(self, domain):
        assert domain.endswith(b"\0")
        self.buf = bytearray(domain)

    def bytes(self, b):
        self.buf += len(b).to_bytes(8, "big") + b
        return self

    def text(self, s):
        return self.bytes(s.encode("utf-8"))

    def number(self, n):
        self.buf += n.to_bytes(8, "big")
        return self

    def instant(self, text):
        secs, nanos = instant(text)
        self.buf += secs.to_bytes(8, "big", signed=True) + nanos.to_bytes(4, "big")
        return self

    def finish(self):
        return bytes(self.buf)


# --------------------------------------------------------------------------------------------
# SPEC.md §2: keys and signatures of both suites.


def key_or_signature(text):
    """(suite, raw bytes) of a key or signature in text form."""
    if text.startswith("sm2:"):
        return "sm", unhex(text[4:])
    return "ed25519", unhex(text)


def verify(public_text, message, signature_text):
    suite, key = key_or_signature(public_text)
    sig_suite, sig = key_or_signature(signature_text)
    assert suite == sig_suite, "a key of one suite and a signature of the other"
    if suite == "ed25519":
        assert len(key) == 32 and len(sig) == 64
        Ed25519PublicKey.from_public_bytes(key).verify(sig, message)  # raises if bad
    else:
        assert len(key) == 65 and key[0] == 4 and len(sig) == 64
        assert sm2_verify(key, message, sig), "SM2 signature does not verify"


def signature_text_of_binary(binary):
    """SPEC.md §2: 64 bytes are ed25519; 02 and 64 bytes are SM2."""
    if len(binary) == 64:
        return binary.hex()
    assert len(binary) == 65 and binary[0] == 2, "neither binary signature form"
    return "sm2:" + binary[1:].hex()


def ed25519_public(seed):
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()


# SM2 (GM/T 0003) over the recommended curve (GM/T 0003.5), affine arithmetic: slow, plain, enough.
SM2_P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
SM2_A = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC", 16)
SM2_B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
SM2_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)
SM2_G = (
    int("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7", 16),
    int("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0", 16),
)
SM2_ID = b"1234567812345678"


def sm3(data):
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def ec_add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % SM2_P == 0:
        return None
    if p1 == p2:
        slope = (3 * x1 * x1 + SM2_A) * pow(2 * y1, -1, SM2_P) % SM2_P
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, SM2_P) % SM2_P
    x3 = (slope * slope - x1 - x2) % SM2_P
    return x3, (slope * (x1 - x3) - y1) % SM2_P


def ec_mul(k, point):
    result = None
    while k:
        if k & 1:
            result = ec_add(result, point)
        point = ec_add(point, point)
        k >>= 1
    return result


def point(raw65):
    assert raw65[0] == 4
    x, y = int.from_bytes(raw65[1:33], "big"), int.from_bytes(raw65[33:], "big")
    assert (y * y - (x * x * x + SM2_A * x + SM2_B)) % SM2_P == 0, "not on the SM2 curve"
    return x, y


def point_bytes(p):
    return b"\x04" + p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big")


def sm2_z(public65):
    entl = (len(SM2_ID) * 8).to_bytes(2, "big")
    parts = [SM2_A, SM2_B, SM2_G[0], SM2_G[1]]
    return sm3(entl + SM2_ID + b"".join(v.to_bytes(32, "big") for v in parts) + public65[1:])


def sm2_verify(public65, message, sig):
    r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
    if not (1 <= r < SM2_N and 1 <= s < SM2_N):
        return False
    e = int.from_bytes(sm3(sm2_z(public65) + message), "big")
    t = (r + s) % SM2_N
    if t == 0:
        return False
    x1, _ = ec_add(ec_mul(s, SM2_G), ec_mul(t, point(public65)))
    return (e + x1) % SM2_N == r


def sm2_public(secret):
    return point_bytes(ec_mul(int.from_bytes(secret, "big"), SM2_G))


# --------------------------------------------------------------------------------------------
# §3: root-signed records.


def certificate_signed_bytes(cert):
    body = cert["body"]
    c = Canonical(b"hotline/v1/certificate\0").text(body["id"])
    suite, key = key_or_signature(body["device_key"])
    if suite == "ed25519":
        c.bytes(key)
    else:
        c.text(suite).bytes(key)
    for field in ("person", "display_name", "role", "unit", "area"):
        c.text(body[field])
    for field in ("not_before", "not_after", "issued_at"):
        c.instant(body[field])
    return c.finish()


def test_ed25519_certificate():
    v = vector("certificate-ed25519")
    assert ed25519_public(unhex(v["root-secret-seed"])).hex() == v["root-public-key"]
    assert ed25519_public(unhex(v["device-secret-seed"])).hex() == v["device-public-key"]
    cert = json.loads(v["certificate-json"])
    assert list(cert) == ["body", "signature"]
    assert list(cert["body"]) == [
        "id", "device_key", "person", "display_name", "role", "unit", "area",
        "not_before", "not_after", "issued_at",
    ]
    assert cert["body"]["device_key"] == v["device-public-key"]
    assert cert["signature"] == v["signature"]
    message = certificate_signed_bytes(cert)
    assert message.hex() == v["signed-bytes"]
    verify(v["root-public-key"], message, cert["signature"])
    with pytest.raises(InvalidSignature):
        verify(v["root-public-key"], message[:-1] + bytes([message[-1] ^ 1]), cert["signature"])


def test_sm2_certificate():
    v = vector("certificate-sm2")
    assert "sm2:" + sm2_public(unhex(v["root-secret"])).hex() == v["root-public-key"]
    assert "sm2:" + sm2_public(unhex(v["device-secret"])).hex() == v["device-public-key"]
    cert = json.loads(v["certificate-json"])
    message = certificate_signed_bytes(cert)
    assert message.hex() == v["signed-bytes"]
    verify(v["root-public-key"], message, cert["signature"])
    assert signature_text_of_binary(unhex(v["signature-binary"])) == v["signature"]
    _, root = key_or_signature(v["root-public-key"])
    _, sig = key_or_signature(v["signature"])
    assert not sm2_verify(root, message + b"x", sig)


def test_revocation_list():
    v = vector("revocation-list")
    rl = json.loads(v["revocation-json"])
    revoked = sorted(rl["revoked"], key=lambda s: s.encode("utf-8"))
    assert revoked == rl["revoked"], "written in ascending byte order"
    c = Canonical(b"hotline/v1/revocation\0").number(rl["sequence"]).instant(rl["issued_at"])
    c.number(len(revoked))
    for cert_id in revoked:
        c.text(cert_id)
    message = c.finish()
    assert message.hex() == v["signed-bytes"]
    verify(v["root-public-key"], message, rl["signature"])


def test_catalogue():
    v = vector("catalogue")
    content = v["content-json"].encode("utf-8")
    message = (
        Canonical(b"hotline/v1/catalogue\0")
        .number(int(v["version"]))
        .instant(v["issued-at"])
        .bytes(content)
        .finish()
    )
    assert message.hex() == v["signed-bytes"]
    verify(v["root-public-key"], message, v["signature"])
    assert json.loads(content)["categories"][0]["code"] == "03"


# --------------------------------------------------------------------------------------------
# §4, §5: the signed change and the event in it.


def uleb(n):
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        if n == 0:
            out.append(low)
            return bytes(out)
        out.append(low | 0x80)


def read_uleb(data, i):
    n, shift = 0, 0
    while True:
        b = data[i]
        i += 1
        n |= (b & 0x7F) << shift
        if b < 0x80:
            return n, i
        shift += 7


def change_data(payload):
    """The uncompressed change columns of a change chunk, and its header checksum."""
    assert payload[:4] == bytes.fromhex("856f4a83"), "Automerge magic"
    checksum, chunk_type = payload[4:8], payload[8]
    length, i = read_uleb(payload, 9)
    data = payload[i:]
    assert len(data) == length, "the chunk runs to the end of the payload"
    if chunk_type == 2:
        data = zlib.decompress(data, wbits=-15)  # raw DEFLATE
    else:
        assert chunk_type == 1
    return data, checksum


def change_message(cert_id, payload):
    return Canonical(b"hotline/v1/change\0").text(cert_id).bytes(payload).finish()


def test_change_envelope():
    v = vector("change-envelope")
    payload = unhex(v["payload"])
    message = change_message(v["signer"], payload)
    assert message.hex() == v["signed-message"]
    verify(v["device-public-key"], message, v["signature"])
    # Another certificate id under the same key does not verify: the id is signed.
    with pytest.raises(InvalidSignature):
        verify(v["device-public-key"], change_message(v["signer"] + "x", payload), v["signature"])

    data, checksum = change_data(payload)
    digest = hashlib.sha256(b"\x01" + uleb(len(data)) + data).digest()
    assert digest.hex() == v["change-hash"]
    assert checksum == digest[:4]
    # The change's own fields (Automerge's format): no dependencies (the order's first change),
    # then the actor — the first 16 bytes of SHA-256 of the device key, as SPEC.md §5.1 says.
    _, device_key = key_or_signature(v["device-public-key"])
    assert data[0] == 0, "no dependencies"
    assert data[1] == 16 and data[2:18] == hashlib.sha256(device_key).digest()[:16]
    # The event's JSON is the string value the change puts under its id.
    event_json = v["event-json"].encode("utf-8")
    assert event_json in data
    event = json.loads(event_json)
    assert list(event) == ["id", "actor", "at", "after", "action"]
    assert event["id"].encode() in data and v["order"].encode() in data
    assert event["after"] == []
    assert event["action"]["type"] == "submit"
    details = event["action"]["details"]
    assert details["id"] == v["order"]
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", details["receipt"])
    assert event["actor"] == {"person": "intake-01", "role": "intake", "unit": "center"}
    # The change's time is the event's `at` in Unix milliseconds (signed LEB128 after seq and
    # start op).
    secs, nanos = instant(event["at"])
    i = 18
    _, i = read_uleb(data, i)  # seq
    _, i = read_uleb(data, i)  # start op
    time, _ = read_uleb(data, i)  # positive, so its signed LEB128 reads as unsigned
    assert time == secs * 1000 + nanos // 1_000_000
    # The platform's sealed copy rides in the same change (SPEC.md §5.1, §7.2).
    assert unhex(vector("sealed-contact-x25519")["sealed"]) in data


def test_dispatch_event():
    event = json.loads(vector("event-dispatch")["event-json"])
    action = event["action"]
    assert action["type"] == "dispatch"
    assert list(action) == ["type", "lead", "co_units", "leader_approval", "note"]
    assert event["after"] == [json.loads(vector("change-envelope")["event-json"])["id"]]


# --------------------------------------------------------------------------------------------
# §6: knowledge-base records.


def test_kb_record():
    v = vector("kb-record")
    payload = v["payload-json"].encode("utf-8")
    message = Canonical(b"hotline/v1/knowledge\0").text(v["signer"]).bytes(payload).finish()
    assert message.hex() == v["signed-message"]
    verify(v["device-public-key"], message, signature_text_of_binary(unhex(v["signature-binary"])))
    assert hashlib.sha256(payload).hexdigest() == v["record-hash"]
    record = json.loads(payload)
    assert list(record) == ["at", "by", "change"]
    assert record["change"]["type"] == "publish"
    item = record["change"]["item"]
    assert list(item["fields"]) == ["materials", "place"], "only the fields that are not empty"
    # The change domain's message over the same bytes is another message: no cross-use.
    assert change_message(v["signer"], payload) != message


def test_access_entry():
    v = vector("access-entry")
    payload = v["payload-json"].encode("utf-8")
    message = Canonical(b"hotline/v1/access\0").text(v["signer"]).bytes(payload).finish()
    assert message.hex() == v["signed-message"]
    verify(v["device-public-key"], message, signature_text_of_binary(unhex(v["signature-binary"])))
    assert hashlib.sha256(payload).hexdigest() == v["entry-hash"]
    # The chain: the entry names the hash of the one before, which is the first of its signer.
    previous = v["previous-payload-json"].encode("utf-8")
    assert hashlib.sha256(previous).hexdigest() == v["previous-hash"]
    first, second = json.loads(previous), json.loads(payload)
    assert (first["seq"], first["prev"]) == (1, "")
    assert (second["seq"], second["prev"]) == (2, v["previous-hash"])
    assert first["cert"] == second["cert"] == v["signer"]
    assert (first["via"], second["via"], second["system"]) == ("device", "api", "回访系统")
    # Altering the purpose breaks the signature; its own domain keeps it from passing for a change.
    altered = payload.replace("核实地址".encode(), "随便看看".encode())
    forged = Canonical(b"hotline/v1/access\0").text(v["signer"]).bytes(altered).finish()
    with pytest.raises(InvalidSignature):
        verify(v["device-public-key"], forged, signature_text_of_binary(unhex(v["signature-binary"])))
    assert change_message(v["signer"], payload) != message


# --------------------------------------------------------------------------------------------
# §7: sealed contact details.

MASK = 0xFFFFFFFF
SIGMA = b"expand 32-byte k"


def rotl(v, c):
    return ((v << c) & MASK) | (v >> (32 - c))


def salsa_state(key, sixteen):
    k = [int.from_bytes(key[i:i + 4], "little") for i in range(0, 32, 4)]
    n = [int.from_bytes(sixteen[i:i + 4], "little") for i in range(0, 16, 4)]
    c = [int.from_bytes(SIGMA[i:i + 4], "little") for i in range(0, 16, 4)]
    return [c[0], *k[:4], c[1], *n, c[2], *k[4:], c[3]]


def salsa20_rounds(state):
    x = list(state)
    for _ in range(10):
        for a, b, c, d in ((0, 4, 8, 12), (5, 9, 13, 1), (10, 14, 2, 6), (15, 3, 7, 11),
                           (0, 1, 2, 3), (5, 6, 7, 4), (10, 11, 8, 9), (15, 12, 13, 14)):
            x[b] ^= rotl((x[a] + x[d]) & MASK, 7)
            x[c] ^= rotl((x[b] + x[a]) & MASK, 9)
            x[d] ^= rotl((x[c] + x[b]) & MASK, 13)
            x[a] ^= rotl((x[d] + x[c]) & MASK, 18)
    return x


def hsalsa20(key, sixteen):
    x = salsa20_rounds(salsa_state(key, sixteen))
    return b"".join(x[i].to_bytes(4, "little") for i in (0, 5, 10, 15, 6, 7, 8, 9))


def xsalsa20_stream(key, nonce24, length):
    subkey = hsalsa20(key, nonce24[:16])
    out = bytearray()
    counter = 0
    while len(out) < length:
        state = salsa_state(subkey, nonce24[16:] + counter.to_bytes(8, "little"))
        x = salsa20_rounds(state)
        out += b"".join(((x[i] + state[i]) & MASK).to_bytes(4, "little") for i in range(16))
        counter += 1
    return bytes(out[:length])


def crypto_box_seal_open(sealed_box, secret, public):
    """libsodium's crypto_box_seal_open, from its definition (SPEC.md §7.2)."""
    epk, tag, ciphertext = sealed_box[:32], sealed_box[32:48], sealed_box[48:]
    shared = X25519PrivateKey.from_private_bytes(secret).exchange(
        X25519PublicKey.from_public_bytes(epk)
    )
    key = hsalsa20(shared, bytes(16))
    nonce = hashlib.blake2b(epk + public, digest_size=24).digest()
    stream = xsalsa20_stream(key, nonce, 32 + len(ciphertext))
    Poly1305.verify_tag(stream[:32], ciphertext, tag)  # raises if altered or not ours
    return bytes(a ^ b for a, b in zip(ciphertext, stream[32:]))


def check_plaintext(v, plain):
    json_bytes = v["plaintext-json"].encode("utf-8")
    assert len(plain) == int(v["padded-length"]) and len(plain) % 64 == 0
    assert plain == json_bytes + b" " * (len(plain) - len(json_bytes))
    contact = json.loads(plain)
    assert list(contact) == ["name", "phone", "id_number"]
    return contact


def test_sealed_contact_x25519():
    v = vector("sealed-contact-x25519")
    secret = unhex(v["recipient-secret"])
    public = X25519PrivateKey.from_private_bytes(secret).public_key().public_bytes_raw()
    assert public.hex() == v["recipient-public-key"]
    sealed = unhex(v["sealed"])
    assert sealed[0] == 1
    contact = check_plaintext(v, crypto_box_seal_open(sealed[1:], secret, public))
    assert contact["phone"] == "13800138000"
    altered = bytearray(sealed)
    altered[-1] ^= 1
    with pytest.raises(InvalidSignature):
        crypto_box_seal_open(bytes(altered[1:]), secret, public)


def sm3_kdf(z, length):
    out = b""
    counter = 1
    while len(out) < length:
        out += sm3(z + counter.to_bytes(4, "big"))
        counter += 1
    return out[:length]


def sm2_envelope_open(record, secret):
    """SPEC.md §7.3: SM2 decryption of the capsule (C1 ‖ C3 ‖ C2), then SM4-GCM."""
    assert record[0] == 2
    capsule, nonce, body = record[1:114], record[114:126], record[126:]
    c1, c3, c2 = capsule[:65], capsule[65:97], capsule[97:]
    x2, y2 = ec_mul(int.from_bytes(secret, "big"), point(c1))
    xy = x2.to_bytes(32, "big") + y2.to_bytes(32, "big")
    key = bytes(a ^ b for a, b in zip(c2, sm3_kdf(xy, 16)))
    assert sm3(xy[:32] + key + xy[32:]) == c3, "C3 does not match"
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, body[-16:])).decryptor()
    decryptor.authenticate_additional_data(record[:1] + capsule)
    return decryptor.update(body[:-16]) + decryptor.finalize()


def test_sealed_contact_sm2():
    v = vector("sealed-contact-sm2")
    secret = unhex(v["recipient-secret"])
    assert "sm2:" + sm2_public(secret).hex() == v["recipient-public-key"]
    sealed = unhex(v["sealed"])
    contact = check_plaintext(v, sm2_envelope_open(sealed, secret))
    assert contact["name"] == "张三"
    altered = bytearray(sealed)
    altered[120] ^= 1  # the nonce
    with pytest.raises(InvalidTag):
        sm2_envelope_open(bytes(altered), secret)


# --------------------------------------------------------------------------------------------
# §8: postcard, the sync round, signed requests, challenges.


class Postcard:
    def __init__(self, data):
        self.data, self.i = data, 0

    def byte(self):
        b = self.data[self.i]
        self.i += 1
        return b

    def varint(self):
        n, self.i = read_uleb(self.data, self.i)
        return n

    def zigzag(self):
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def bytes(self):
        n = self.varint()
        out = self.data[self.i:self.i + n]
        assert len(out) == n
        self.i += n
        return out

    def text(self):
        return self.bytes().decode("utf-8")

    def list(self, item):
        return [item() for _ in range(self.varint())]

    def end(self):
        assert self.i == len(self.data), "bytes left after the message"


def read_sync_request(data):
    r = Postcard(data)
    req = {
        "protocol": r.byte(),
        "at": r.zigzag(),
        "received_upto": r.zigzag(),
        "certs_known": r.zigzag(),
        "revocation_seq": r.varint(),
        "catalogue_version": r.varint(),
        "push_upto": r.zigzag(),
        "certs": r.list(r.text),
        "push": r.list(lambda: {
            "order": r.text(), "cert": r.varint(), "signature": r.bytes(), "bytes": r.bytes(),
        }),
        "max_pull": r.varint(),
        "resend": r.list(r.text),
        "kb_received": r.zigzag(),
        "kb_push_upto": r.zigzag(),
        "kb_push": r.list(lambda: {"cert": r.text(), "signature": r.bytes(), "payload": r.bytes()}),
        "access_push": r.list(lambda: {"cert": r.text(), "signature": r.bytes(), "payload": r.bytes()}),
    }
    r.end()
    return req


def test_idle_sync_request():
    v = vector("sync-request-idle")
    req = read_sync_request(unhex(v["postcard"]))
    assert req["protocol"] == 5
    for field in ("protocol", "at", "received_upto", "certs_known", "revocation_seq",
                  "catalogue_version", "push_upto", "max_pull", "kb_received", "kb_push_upto"):
        assert req[field] == int(v[field]), field
    assert req["certs"] == req["push"] == req["resend"] == req["kb_push"] == req["access_push"] == []


def challenge(key, issued_ms, random8):
    head = issued_ms.to_bytes(8, "big", signed=True) + random8
    return head + hmac.new(key, head, "sha256").digest()[:16]


def test_challenge():
    v = vector("challenge")
    made = challenge(unhex(v["hub-key"]), int(v["issued-at-ms"]), unhex(v["random"]))
    assert made.hex() == v["challenge"]
    assert len(made) == 32


def request_message(endpoint, cert, challenge_bytes, body):
    out = b"hotline/v2/request\0"
    for part in (endpoint.encode("ascii"), cert.encode("utf-8"), challenge_bytes):
        out += len(part).to_bytes(4, "big") + part
    return out + body


def test_signed_request():
    v = vector("signed-request")
    r = Postcard(unhex(v["postcard"]))
    request = {"cert": r.text(), "challenge": r.bytes(), "signature": r.bytes(), "body": r.bytes()}
    r.end()
    assert request["cert"] == v["cert"]
    assert request["challenge"].hex() == v["challenge"] == vector("challenge")["challenge"]
    assert request["body"].hex() == v["body"]
    message = request_message(v["endpoint"], request["cert"], request["challenge"], request["body"])
    assert message.hex() == v["signed-message"]
    change = vector("change-envelope")
    device_key = change["device-public-key"]
    verify(device_key, message, signature_text_of_binary(request["signature"]))
    # Signed for one endpoint, it does not verify at another.
    other = request_message("/v1/status", request["cert"], request["challenge"], request["body"])
    with pytest.raises(InvalidSignature):
        verify(device_key, other, signature_text_of_binary(request["signature"]))
    # The body pushes the change of `change-envelope`, which verifies as it arrives.
    body = read_sync_request(request["body"])
    assert body["protocol"] == 5 and body["push_upto"] == 1
    (packed,) = body["push"]
    signer = body["certs"][packed["cert"]]
    assert signer == change["signer"] and packed["order"] == change["order"]
    assert packed["bytes"].hex() == change["payload"]
    verify(device_key, change_message(signer, packed["bytes"]), signature_text_of_binary(packed["signature"]))


# --------------------------------------------------------------------------------------------
# §10: the error body.


def test_error_body():
    v = vector("error-body")
    body = json.loads(v["json"])
    assert list(body) == ["error"]
    assert list(body["error"]) == ["code", "message_zh", "message_en", "hub_time"]
    assert body["error"]["code"] == "sync_stale_challenge"
    assert v["http-status"] == "401"
