#include "broker/http/gauges.h"

#include <catch2/catch.hpp>
#include <limits>
#include <string>

namespace accord::http {
namespace {

TEST_CASE("Gauges render every family, set series in label order",
          "[http][gauges]") {
  Gauges g("t_", {{"ready", "Ready or not.", {}},
                  {"expiry_seconds", "Expiry, by file.", {"file"}},
                  {"build_info", "Build.", {"version", "commit"}}});
  CHECK(g.Set("ready", {}, 1));
  CHECK(g.Set("expiry_seconds", {"tls_cert"}, 1700000000));
  CHECK(g.Set("expiry_seconds", {"http_tls_cert"}, 1.5));
  CHECK(g.Set("expiry_seconds", {"tls_cert"}, 1800000000));  // replaces
  CHECK(g.Set("build_info", {"0.1.0", "a\"b\\c\nd"}, 1));
  std::string out;
  g.Render(&out);
  CHECK(out ==
        "# HELP t_ready Ready or not.\n"
        "# TYPE t_ready gauge\n"
        "t_ready 1\n"
        "# HELP t_expiry_seconds Expiry, by file.\n"
        "# TYPE t_expiry_seconds gauge\n"
        "t_expiry_seconds{file=\"http_tls_cert\"} 1.5\n"
        "t_expiry_seconds{file=\"tls_cert\"} 1800000000\n"
        "# HELP t_build_info Build.\n"
        "# TYPE t_build_info gauge\n"
        "t_build_info{version=\"0.1.0\",commit=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST_CASE("Gauges refuse unknown names and wrong label counts",
          "[http][gauges]") {
  Gauges g("t_", {{"ready", "Ready or not.", {}},
                  {"expiry_seconds", "Expiry, by file.", {"file"}}});
  CHECK_FALSE(g.Set("other", {}, 1));
  CHECK_FALSE(g.Set("ready", {"x"}, 1));
  CHECK_FALSE(g.Set("expiry_seconds", {}, 1));
  CHECK_FALSE(g.Set("expiry_seconds", {"a", "b"}, 1));
  CHECK(g.Set("ready", {}, std::numeric_limits<double>::infinity()));
  std::string out;
  g.Render(&out);
  // A family without series keeps its HELP and TYPE lines only.
  CHECK(out ==
        "# HELP t_ready Ready or not.\n"
        "# TYPE t_ready gauge\n"
        "t_ready +Inf\n"
        "# HELP t_expiry_seconds Expiry, by file.\n"
        "# TYPE t_expiry_seconds gauge\n");
}

}  // namespace
}  // namespace accord::http
