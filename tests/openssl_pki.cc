#include "tests/openssl_pki.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace accord::testing {
namespace {

constexpr char kOpenssl[] = "/usr/bin/openssl";

absl::Status Openssl(const std::vector<std::string>& args) {
  const CliResult r = Run(kOpenssl, args);
  if (r.exit_code != 0) {
    return absl::InternalError(absl::StrCat("openssl ",
                                            absl::StrJoin(args, " "), ": exit ",
                                            r.exit_code, ": ", r.err));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status OpensslPki::MakeCa() {
  return Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt",
                  "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                  dir_ + "/ca.key", "-out", ca(), "-days", "30", "-subj",
                  "/CN=Accord test CA"});
}

absl::Status OpensslPki::Issue(const std::string& name, Usage usage,
                               const std::vector<std::string>& sans) {
  const std::string csr = dir_ + "/" + name + ".csr";
  const std::string ext = dir_ + "/" + name + ".ext";
  {
    std::ofstream out(ext);
    out << "basicConstraints=CA:FALSE\n"
        << "keyUsage=critical,digitalSignature\n"
        << "extendedKeyUsage="
        << (usage == Usage::kServer ? "serverAuth" : "clientAuth") << "\n";
    if (!sans.empty())
      out << "subjectAltName=" << absl::StrJoin(sans, ",") << "\n";
  }
  if (absl::Status s =
          Openssl({"req", "-new", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:P-256", "-nodes", "-keyout", key(name),
                   "-out", csr, "-subj", "/CN=" + name});
      !s.ok()) {
    return s;
  }
  return Openssl({"x509", "-req", "-in", csr, "-CA", ca(), "-CAkey",
                  dir_ + "/ca.key", "-CAcreateserial", "-days", "30", "-out",
                  cert(name), "-extfile", ext});
}

absl::StatusOr<std::string> OpensslPki::Fingerprint(
    const std::string& name) const {
  const CliResult r = Run(kOpenssl, {"x509", "-noout", "-fingerprint",
                                     "-sha256", "-in", cert(name)});
  const size_t eq = r.out.find('=');
  if (r.exit_code != 0 || eq == std::string::npos) {
    return absl::InternalError(
        absl::StrCat("openssl x509 -fingerprint: ", r.err));
  }
  std::string hex = absl::StrReplaceAll(
      absl::StripAsciiWhitespace(r.out.substr(eq + 1)), {{":", ""}});
  return absl::AsciiStrToLower(hex);
}

}  // namespace accord::testing
