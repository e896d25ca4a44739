#!/usr/bin/env python3
"""make-names-certificate.py KEY_OUT CERT_OUT - a self-signed RSA certificate whose subject
uses every X.520 string type and the characters RFC 4514 escapes, for
make-names-capture.sh (served by a real `openssl s_server`).

Subject, in DER order (RFC 4514 text reverses it):
  C=DE (PrintableString) / ST=Bayern (PrintableString) / L=Zürich (BMPString, UTF-16BE) /
  O=Kakao Corp. (TeletexString) / OU=Ünïcode ☃ (UniversalString, UTF-32BE) /
  OU=#lead,plus+quote"semi;<less>back\slash␠ (UTF8String: every RFC 4514 escape) /
  CN=*.names.example (TeletexString, like KakaoTalk's and WeChat's certificates)
    + serialNumber=0123 (NumericString), one multi-valued RDN /
  emailAddress=lab@names.example (IA5String)
(VisibleString is left out: OpenSSL refuses to load a name with one.)
No subjectAltName. Needs python3 `cryptography` (x509 with _ASN1Type).
"""
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

def attr(oid, value, kind):
    return x509.NameAttribute(oid, value, _type=kind)

name = x509.Name([
    x509.RelativeDistinguishedName([attr(NameOID.COUNTRY_NAME, 'DE', _ASN1Type.PrintableString)]),
    x509.RelativeDistinguishedName([attr(NameOID.STATE_OR_PROVINCE_NAME, 'Bayern', _ASN1Type.PrintableString)]),
    x509.RelativeDistinguishedName([attr(NameOID.LOCALITY_NAME, 'Zürich', _ASN1Type.BMPString)]),
    x509.RelativeDistinguishedName([attr(NameOID.ORGANIZATION_NAME, 'Kakao Corp.', _ASN1Type.T61String)]),
    x509.RelativeDistinguishedName([attr(NameOID.ORGANIZATIONAL_UNIT_NAME, 'Ünïcode ☃', _ASN1Type.UniversalString)]),
    x509.RelativeDistinguishedName([attr(NameOID.ORGANIZATIONAL_UNIT_NAME, '#lead,plus+quote"semi;<less>back\\slash ', _ASN1Type.UTF8String)]),
    x509.RelativeDistinguishedName([
        attr(NameOID.COMMON_NAME, '*.names.example', _ASN1Type.T61String),
        attr(NameOID.SERIAL_NUMBER, '0123', _ASN1Type.NumericString),
    ]),
    x509.RelativeDistinguishedName([attr(NameOID.EMAIL_ADDRESS, 'lab@names.example', _ASN1Type.IA5String)]),
])
now = datetime.datetime.now(datetime.timezone.utc)
certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
               .not_valid_after(now + datetime.timedelta(days=2)).sign(key, hashes.SHA256()))
open(sys.argv[1], 'wb').write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                                serialization.NoEncryption()))
open(sys.argv[2], 'wb').write(certificate.public_bytes(serialization.Encoding.PEM))
