#!/usr/bin/env python3
"""An independent XML Encryption 1.1 decryptor for Poort's tests: pyca/cryptography does the RSA-OAEP unwrap and the
AES-GCM decryption, the standard library's ElementTree reads the document. Nothing of Poort's own code is used.

Usage: xmlenc_decrypt.py PRIVATE_KEY_PEM < encrypted.xml > plaintext
Exit status 0 with the plaintext on stdout; 2 with a message on stderr when the document cannot be decrypted
(a tampered ciphertext or tag fails the GCM check: InvalidTag)."""
import base64
import sys
import xml.etree.ElementTree as ET

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

XENC = 'http://www.w3.org/2001/04/xmlenc#'
XENC11 = 'http://www.w3.org/2009/xmlenc11#'
DS = 'http://www.w3.org/2000/09/xmldsig#'
HASHES = {
    'http://www.w3.org/2000/09/xmldsig#sha1': hashes.SHA1,
    'http://www.w3.org/2001/04/xmlenc#sha256': hashes.SHA256,
    'http://www.w3.org/2001/04/xmlenc#sha512': hashes.SHA512,
}
MGFS = {
    'http://www.w3.org/2009/xmlenc11#mgf1sha1': hashes.SHA1,
    'http://www.w3.org/2009/xmlenc11#mgf1sha256': hashes.SHA256,
    'http://www.w3.org/2009/xmlenc11#mgf1sha512': hashes.SHA512,
}


def fail(message):
    sys.stderr.write(message + '\n')
    sys.exit(2)


def one(parent, path):
    found = parent.find(path)
    if found is None:
        fail(f'no {path} in the document')
    return found


def main():
    with open(sys.argv[1], 'rb') as f:
        private_key = serialization.load_pem_private_key(f.read(), password=None)
    root = ET.fromstring(sys.stdin.buffer.read())
    if root.tag != f'{{{XENC}}}EncryptedData':
        fail(f'document element is {root.tag}, not xenc:EncryptedData')
    content_method = one(root, f'{{{XENC}}}EncryptionMethod').get('Algorithm')
    if content_method != 'http://www.w3.org/2009/xmlenc11#aes256-gcm':
        fail(f'content algorithm {content_method} not supported')
    encrypted_key = one(root, f'{{{DS}}}KeyInfo/{{{XENC}}}EncryptedKey')
    key_method = one(encrypted_key, f'{{{XENC}}}EncryptionMethod')
    if key_method.get('Algorithm') != 'http://www.w3.org/2009/xmlenc11#rsa-oaep':
        fail(f'key transport {key_method.get("Algorithm")} not supported')
    digest = key_method.find(f'{{{DS}}}DigestMethod')
    mgf = key_method.find(f'{{{XENC11}}}MGF')
    digest_hash = HASHES[digest.get('Algorithm')] if digest is not None else hashes.SHA1
    mgf_hash = MGFS[mgf.get('Algorithm')] if mgf is not None else hashes.SHA1
    wrapped = base64.b64decode(one(encrypted_key, f'{{{XENC}}}CipherData/{{{XENC}}}CipherValue').text)
    try:
        content_key = private_key.decrypt(
            wrapped, padding.OAEP(mgf=padding.MGF1(algorithm=mgf_hash()), algorithm=digest_hash(), label=None))
    except ValueError as error:
        fail(f'key unwrap failed: {error}')
    cipher_value = base64.b64decode(one(root, f'{{{XENC}}}CipherData/{{{XENC}}}CipherValue').text or '')
    # XML Encryption 1.1 §5.2.4: IV (96 bits) ‖ ciphertext ‖ tag (128 bits); AESGCM takes ciphertext ‖ tag.
    try:
        plaintext = AESGCM(content_key).decrypt(cipher_value[:12], cipher_value[12:], None)
    except InvalidTag:
        fail('AES-GCM authentication failed (InvalidTag)')
    sys.stdout.buffer.write(plaintext)


main()
