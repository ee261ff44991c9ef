#include "broker/dev/dev_pki.h"

#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "broker/crypto/x509.h"

namespace accord::dev {
namespace {

using crypto::Algorithm;
using crypto::CertificateInfo;
using crypto::ParseCertificateDer;
using crypto::ParseCertificatePem;
using crypto::SigningKey;

std::string TempDir() {
  std::string tmpl = "/tmp/accord_pki_test.XXXXXX";
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

X509* ReadCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return x;
}

// True when `leaf_pem` chains to `ca_pem` for `purpose` at time `at`.
bool Chains(const std::string& leaf_pem, const std::string& ca_pem, int purpose,
            time_t at) {
  X509* leaf = ReadCert(leaf_pem);
  X509* ca = ReadCert(ca_pem);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  X509_STORE_CTX_set_time(ctx, 0, at);
  bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(leaf);
  X509_free(ca);
  return ok;
}

int Mode(const std::string& path) {
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 0777);
}

TEST_CASE("EnsureDevPki creates a working PKI once", "[pki]") {
  std::string dir = TempDir() + "/pki";
  REQUIRE(EnsureDevPki(dir, {"partner-demo", "auditor-demo"}).ok());
  const time_t now = std::time(nullptr);
  std::string ca = Slurp(dir + "/ca.pem");
  std::string server = Slurp(dir + "/server.pem");
  std::string partner = Slurp(dir + "/partner-demo.pem");
  REQUIRE(Mode(dir + "/ca.key") == 0600);
  REQUIRE(Mode(dir + "/server.key") == 0600);
  REQUIRE(Mode(dir + "/partner-demo.key") == 0600);
  REQUIRE(Mode(dir) == 0700);

  REQUIRE(Chains(server, ca, X509_PURPOSE_SSL_SERVER, now));
  REQUIRE(Chains(partner, ca, X509_PURPOSE_SSL_CLIENT, now));
  REQUIRE_FALSE(Chains(partner, ca, X509_PURPOSE_SSL_SERVER, now));
  REQUIRE_FALSE(Chains(server, ca, X509_PURPOSE_SSL_CLIENT, now));
  // Ten years of validity.
  REQUIRE(
      Chains(partner, ca, X509_PURPOSE_SSL_CLIENT, now + 9 * 365 * 24 * 3600));

  absl::StatusOr<CertificateInfo> info = ParseCertificatePem(partner);
  REQUIRE(info.ok());
  REQUIRE(info->uri_sans ==
          std::vector<std::string>{"urn:accord:principal:partner-demo"});
  REQUIRE(info->common_name == "partner-demo");
  REQUIRE(info->not_after - info->not_before > 3650LL * 24 * 3600);
  absl::StatusOr<CertificateInfo> srv = ParseCertificatePem(server);
  REQUIRE(srv->dns_sans == std::vector<std::string>{"localhost"});

  // Keys load and match (a key file from the PKI is a usable SigningKey).
  REQUIRE(SigningKey::ReadPemFile(dir + "/partner-demo.key").ok());

  // A second call reuses everything untouched and adds a new principal.
  REQUIRE(EnsureDevPki(dir, {"partner-demo", "auditor-demo", "operator"}).ok());
  REQUIRE(Slurp(dir + "/ca.pem") == ca);
  REQUIRE(Slurp(dir + "/partner-demo.pem") == partner);
  REQUIRE(
      Chains(Slurp(dir + "/operator.pem"), ca, X509_PURPOSE_SSL_CLIENT, now));

  // Half a pair is an error, not a silent regeneration.
  REQUIRE(unlink((dir + "/operator.key").c_str()) == 0);
  REQUIRE(EnsureDevPki(dir, {"operator"}).code() ==
          absl::StatusCode::kFailedPrecondition);

  REQUIRE(EnsureDevPki(dir, {"../evil"}).code() ==
          absl::StatusCode::kInvalidArgument);
  REQUIRE(EnsureDevPki(dir, {"ca"}).code() ==
          absl::StatusCode::kInvalidArgument);
  std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
}

TEST_CASE("IssueCertificate makes expired and foreign certificates", "[pki]") {
  std::string dir = TempDir();
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  REQUIRE(CreateCertificateAuthority(dir, "ca").ok());
  REQUIRE(CreateCertificateAuthority(dir, "other-ca").ok());
  absl::StatusOr<IssuedCertificate> ca = ReadIssuedCertificate(dir, "ca");
  absl::StatusOr<IssuedCertificate> other =
      ReadIssuedCertificate(dir, "other-ca");
  REQUIRE(ca.ok());
  REQUIRE(other.ok());

  CertificateSpec spec;
  spec.common_name = "partner-x";
  spec.uri_sans = {"urn:accord:principal:partner-x"};
  spec.not_before = now - 7200;
  spec.not_after = now - 3600;
  absl::StatusOr<IssuedCertificate> expired = IssueCertificate(*ca, spec);
  REQUIRE(expired.ok());
  REQUIRE_FALSE(
      Chains(expired->cert_pem, ca->cert_pem, X509_PURPOSE_SSL_CLIENT, now));
  REQUIRE(ParseCertificatePem(expired->cert_pem)->not_after == now - 3600);

  spec.not_after = now + 3600;
  absl::StatusOr<IssuedCertificate> foreign = IssueCertificate(*other, spec);
  REQUIRE(foreign.ok());
  REQUIRE(
      Chains(foreign->cert_pem, other->cert_pem, X509_PURPOSE_SSL_CLIENT, now));
  REQUIRE_FALSE(
      Chains(foreign->cert_pem, ca->cert_pem, X509_PURPOSE_SSL_CLIENT, now));

  spec.ip_sans = {"not-an-ip"};
  REQUIRE(IssueCertificate(*ca, spec).status().code() ==
          absl::StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

TEST_CASE("ParseCertificate rejects garbage and agrees between PEM and DER",
          "[x509]") {
  REQUIRE(ParseCertificatePem("").status().code() ==
          absl::StatusCode::kInvalidArgument);
  REQUIRE(ParseCertificatePem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END "
                              "CERTIFICATE-----\n")
              .status()
              .code() == absl::StatusCode::kInvalidArgument);
  REQUIRE(ParseCertificateDer("\x30\x03\x02\x01\x01").status().code() ==
          absl::StatusCode::kInvalidArgument);

  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  absl::StatusOr<IssuedCertificate> ca =
      NewCertificateAuthority("Test CA", now, now + 100);
  REQUIRE(ca.ok());
  X509* x = ReadCert(ca->cert_pem);
  unsigned char* der = nullptr;
  int len = i2d_X509(x, &der);
  std::string der_bytes(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  X509_free(x);
  absl::StatusOr<CertificateInfo> from_pem = ParseCertificatePem(ca->cert_pem);
  absl::StatusOr<CertificateInfo> from_der = ParseCertificateDer(der_bytes);
  REQUIRE(from_pem.ok());
  REQUIRE(from_der.ok());
  REQUIRE(from_pem->sha256_hex == from_der->sha256_hex);
  REQUIRE(from_pem->sha256_hex.size() == 64);
  REQUIRE(from_pem->x5t_s256.size() == 43);
  REQUIRE(from_pem->common_name == "Test CA");
  REQUIRE(from_pem->not_before == now);
  REQUIRE(from_pem->not_after == now + 100);
  REQUIRE(ParseCertificateDer(der_bytes + "x").status().code() ==
          absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::dev
