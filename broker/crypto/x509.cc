#include "broker/crypto/x509.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <ctime>

#include "absl/status/status.h"
#include "broker/crypto/openssl_util.h"
#include "broker/crypto/sha256.h"
#include "broker/formats/base64url.h"

namespace accord::crypto {
namespace {

using internal::OsslPtr;

bool ToUnixSeconds(const ASN1_TIME* t, int64_t* out) {
  struct tm tm = {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return false;
  *out = static_cast<int64_t>(timegm(&tm));
  return true;
}

std::string Ia5(const ASN1_IA5STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

absl::StatusOr<CertificateInfo> Describe(X509* cert) {
  CertificateInfo info;
  unsigned char* der = nullptr;
  int der_len = i2d_X509(cert, &der);
  if (der_len <= 0) {
    return internal::OpenSslError(absl::StatusCode::kInvalidArgument,
                                  "certificate: cannot encode");
  }
  Digest digest = Sha256(absl::string_view(reinterpret_cast<char*>(der),
                                           static_cast<size_t>(der_len)));
  OPENSSL_free(der);
  info.sha256_hex = ToHex(digest);
  info.x5t_s256 = formats::Base64UrlEncode(AsBytes(digest));

  if (!ToUnixSeconds(X509_get0_notBefore(cert), &info.not_before) ||
      !ToUnixSeconds(X509_get0_notAfter(cert), &info.not_after)) {
    ERR_clear_error();
    return absl::InvalidArgumentError("certificate: unreadable validity");
  }

  X509_NAME* subject = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (idx >= 0) {
    ASN1_STRING* cn =
        X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, cn);
    if (len < 0) {
      ERR_clear_error();
      return absl::InvalidArgumentError("certificate: unreadable CN");
    }
    info.common_name.assign(reinterpret_cast<char*>(utf8),
                            static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }

  int crit = 0;
  OsslPtr<GENERAL_NAMES> sans(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, nullptr)));
  if (!sans && crit != -1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("certificate: unreadable subjectAltName");
  }
  if (sans) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
      if (name->type == GEN_URI) {
        info.uri_sans.push_back(Ia5(name->d.uniformResourceIdentifier));
      } else if (name->type == GEN_DNS) {
        info.dns_sans.push_back(Ia5(name->d.dNSName));
      }
    }
  }
  return info;
}

}  // namespace

absl::StatusOr<CertificateInfo> ParseCertificatePem(absl::string_view pem) {
  OsslPtr<BIO> bio = internal::MemBio(pem);
  OsslPtr<X509> cert(
      bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) {
    ERR_clear_error();
    return absl::InvalidArgumentError("certificate: no PEM certificate");
  }
  return Describe(cert.get());
}

absl::StatusOr<CertificateInfo> ParseCertificateDer(absl::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  OsslPtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert ||
      p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    ERR_clear_error();
    return absl::InvalidArgumentError("certificate: not one DER certificate");
  }
  return Describe(cert.get());
}

}  // namespace accord::crypto
