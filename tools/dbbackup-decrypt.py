#!/usr/bin/env python3
"""Decrypt the payload of an encrypted DbBackup backup without DbBackup (README "Encryption at rest").

Usage:  DBBACKUP_ENCRYPTION_KEY=<base64> python3 dbbackup-decrypt.py FOLDER
        (or DBBACKUP_ENCRYPTION_KEY_FILE=<file>)
FOLDER is an extracted bundle (tar -xf x.dbbackup -C FOLDER) or a copied backups/<id> folder: it holds
manifest.json and payload/. Each file the manifest lists is checked against its SHA-256, decrypted in
place (still compressed as the manifest's Compression says), and the manifest's Encryption block is
left as it is. Needs the 'cryptography' package (pip install cryptography; Debian: python3-cryptography).
"""
import base64, hashlib, hmac, json, os, struct, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TAG = 16


def repository_key():
    text, path = os.environ.get("DBBACKUP_ENCRYPTION_KEY"), os.environ.get("DBBACKUP_ENCRYPTION_KEY_FILE")
    if text:
        return base64.b64decode(text.strip())
    raw = open(path, "rb").read()
    return raw if len(raw) == 32 else base64.b64decode(raw.strip())


def nonce(index, final):
    return b"\0\0\0" + struct.pack(">Q", index) + (b"\1" if final else b"\0")


def decrypt_file(path, file_key, chunk):
    aes, sealed, index = AESGCM(file_key), chunk + TAG, 0
    with open(path, "rb") as f, open(path + ".tmp", "wb") as out:
        data = f.read(sealed + 1)  # one byte more tells whether this chunk is the final one
        while True:
            final = len(data) <= sealed
            out.write(aes.decrypt(nonce(index, final), data[:sealed], None))  # InvalidTag on any change
            if final:
                break
            data = data[sealed:] + f.read(sealed)
            index += 1
    os.replace(path + ".tmp", path)


def main(folder):
    manifest = json.load(open(os.path.join(folder, "manifest.json"), encoding="utf-8"))
    enc = manifest.get("Encryption") or sys.exit("This backup is not encrypted.")
    if enc["Algorithm"] != "AES-256-GCM-STREAM-v1":
        sys.exit("Unknown algorithm " + enc["Algorithm"])
    key = repository_key()
    key_id = hmac.new(key, b"DbBackup key id v1", hashlib.sha256).hexdigest()[:16]
    if key_id != enc["KeyId"]:
        sys.exit(f"The backup needs key {enc['KeyId']}; this key is {key_id}.")
    wrapped = base64.b64decode(enc["WrappedDataKey"])
    data_key = AESGCM(key).decrypt(wrapped[:12], wrapped[12:], b"DbBackup data key v1\0" + manifest["Id"].encode())
    for entry in manifest["Files"]:
        path = os.path.join(folder, *entry["Name"].split("/"))
        if hashlib.sha256(open(path, "rb").read()).hexdigest() != entry["Sha256"]:
            sys.exit(f"{entry['Name']} does not match its SHA-256 in the manifest")
        name = entry["Name"][len("payload/"):]
        info = b"DbBackup payload v1\0" + manifest["Id"].encode() + b"\0" + name.encode()
        file_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(data_key)
        decrypt_file(path, file_key, enc["ChunkSize"])
        print("decrypted", entry["Name"])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__))
