#ifndef ACCORD_TESTS_DEV_CONNECTION_H_
#define ACCORD_TESTS_DEV_CONNECTION_H_

// A client Connection to a dev-mode test broker with its dev PKI.

#include <catch2/catch.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "broker/dev/dev_layout.h"
#include "clients/connection.h"
#include "tests/broker_harness.h"

namespace accord::testing {

// A TLS connection as `principal`, or as the citizen app for `citizen`.
inline client::Connection Connect(const BrokerProcess& broker,
                                  const std::string& principal,
                                  const std::string& citizen = "") {
  const std::string& dir = broker.data_dir();
  client::ConnectionSettings s;
  s.target = broker.grpc_address();
  s.ca_path = dev::CaCertPath(dir);
  const std::string who = citizen.empty() ? principal : "citizen-app";
  s.cert_path = dev::PrincipalCertPath(dir, who);
  s.key_path = dev::PrincipalKeyPath(dir, who);
  if (!citizen.empty()) {
    s.citizen_name = citizen;
    s.issuer_key_path = dev::IssuerKeyPath(dir);
  }
  absl::StatusOr<client::Connection> c =
      client::Connection::Open(s, absl::ToUnixSeconds(absl::Now()));
  REQUIRE(c.ok());
  return *std::move(c);
}

}  // namespace accord::testing

#endif  // ACCORD_TESTS_DEV_CONNECTION_H_
