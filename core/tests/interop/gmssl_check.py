"""An independent implementation's word on hotline's SM2 signatures and SM3 digests.

Reads JSON from stdin: {"sm3": [[hex message, hex digest], ...],
"sm2": [[hex public key (04 || x || y), hex message, hex signature r || s], ...],
"envelopes": [[hex SM2 secret, hex sealed record (format byte 2 first), hex plaintext], ...]}
and checks each with the PyPI package `gmssl` (its own SM2 and SM3, GM/T 0003 and 0004, the
default identifier 1234567812345678 in the Z value) and, for the SM4-GCM half of an envelope,
the `cryptography` package. Prints one line per check; exits 1 if any fails, 2 if a package is
missing.
"""
import json
import sys

try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from gmssl import func, sm2, sm3
except ImportError as e:
    print(f"{e.name} is not installed (pip install gmssl cryptography)", file=sys.stderr)
    sys.exit(2)

checks = json.load(sys.stdin)
failed = 0
for message, digest in checks["sm3"]:
    ours = sm3.sm3_hash(func.bytes_to_list(bytes.fromhex(message)))
    ok = ours == digest
    failed += not ok
    print(f"sm3 {'ok' if ok else 'MISMATCH'} {digest}")
for public, message, signature in checks["sm2"]:
    assert public.startswith("04") and len(public) == 130, public
    crypt = sm2.CryptSM2(public_key="", private_key=None)
    # Set after construction: gmssl's constructor strips leading "0"/"4" characters, which
    # would cut an x coordinate that starts with them.
    crypt.public_key = public[2:]
    ok = bool(crypt.verify_with_sm3(signature, bytes.fromhex(message)))
    failed += not ok
    print(f"sm2 {'ok' if ok else 'REFUSED'} {signature[:16]}…")
for secret, sealed, plain in checks.get("envelopes", []):
    record = bytes.fromhex(sealed)
    assert record[0] == 2, "not an SM2 envelope"
    capsule, nonce, body = record[1:114], record[114:126], record[126:]
    c1, c3, c2 = capsule[1:65], capsule[65:97], capsule[97:113]
    crypt = sm2.CryptSM2(private_key=secret, public_key="", mode=1)
    key = crypt.decrypt(c1 + c3 + c2)
    # gmssl does not check C3 itself: SM3(x2 || M || y2), with (x2, y2) = d * C1.
    xy = crypt._kg(int(secret, 16), c1.hex())
    c3_ok = sm3.sm3_hash(func.bytes_to_list(bytes.fromhex(xy[:64]) + key + bytes.fromhex(xy[64:]))) == c3.hex()
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, body[-16:])).decryptor()
    decryptor.authenticate_additional_data(record[:1] + capsule)
    try:
        opened = decryptor.update(body[:-16]) + decryptor.finalize()
    except Exception:
        opened = None
    ok = c3_ok and opened == bytes.fromhex(plain)
    failed += not ok
    print(f"envelope {'ok' if ok else 'UNREADABLE'} {len(record)} bytes")
sys.exit(1 if failed else 0)
