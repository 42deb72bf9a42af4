#!/bin/sh
# make_certs.sh -- how ca.der, leaf.der and odd.der were made (once; the
# committed files are what the tests read). New keys are drawn on every run,
# so a rerun gives other signatures and fingerprints: update the expected
# values in README.md and the tests from the openssl lines printed at the end.
#
#   sh tests/data/tls/make_certs.sh OUTDIR
set -eu
out=${1:?usage: make_certs.sh OUTDIR}
mkdir -p "$out"
cd "$out"
cat > ca.cnf <<'CNF'
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
emailAddress = optional
[ leaf_ext ]
basicConstraints = CA:FALSE
subjectAltName = DNS:www.example.com
[ ca_ext ]
basicConstraints = critical,CA:TRUE
CNF
# string_mask pkix: a CN outside PrintableString becomes a BMPString
printf '[ req ]\ndistinguished_name = dn\nstring_mask = pkix\nprompt = no\n[ dn ]\n' > pkix.cnf
: > index.txt
for k in ca leaf odd; do
    openssl ecparam -name prime256v1 -genkey -noout -out $k.key
done
openssl req -new -key ca.key -subj "/C=VN/O=SOC Test/CN=SOC Test Root CA" -out ca.csr
echo 3A > serial
openssl ca -batch -config ca.cnf -selfsign -keyfile ca.key -in ca.csr -out ca.pem -notext \
    -startdate 20240301000000Z -enddate 20340301000000Z -extensions ca_ext
openssl req -new -utf8 -multivalue-rdn -key leaf.key -out leaf.csr \
    -subj "/C=VN/ST=Can Tho/L=Cần Thơ/O=Example Inc/OU=Web+OU=Ops/CN=www.example.com/emailAddress=admin@example.com"
echo 00E1A2B3C4D5E6F708 > serial
openssl ca -batch -config ca.cnf -utf8 -preserveDN -multivalue-rdn -cert ca.pem -keyfile ca.key \
    -in leaf.csr -out leaf.pem -notext -startdate 20240301080000Z -enddate 20250301080000Z \
    -extensions leaf_ext
openssl req -new -config pkix.cnf -utf8 -key odd.key -out odd.csr \
    -subj "/DC=org/DC=example/UID=jdoe/serialNumber=A-1234/businessCategory=Private Organization/jurisdictionC=VN/pseudonym=Ghost/CN=Nguyễn Văn A"
echo 7F > serial
openssl ca -batch -config ca.cnf -utf8 -preserveDN -cert ca.pem -keyfile ca.key -in odd.csr \
    -out odd.pem -notext -startdate 20240301000000Z -enddate 20240401000000Z
for k in ca leaf odd; do
    openssl x509 -in $k.pem -outform DER -out $k.der
    echo "== $k.der"
    openssl x509 -in $k.pem -noout -subject -issuer -serial -fingerprint -dates \
        -nameopt oneline,-esc_msb
done
