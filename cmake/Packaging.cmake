# The Debian package `accord` (CPack, DEB generator):
#
#   cmake --build build --target package      -> build/accord_<version>_<arch>.deb
#
# It holds accord-broker, accord and accord-portal in /usr/bin, the public
# API's proto files in /usr/share/accord/proto, the portal's pages in
# /usr/share/accord/portal/web, the systemd units of the broker and the
# portal, and two sample configurations marked as conffiles:
# /etc/accord/accord.yaml (deploy/accord.yaml) and /etc/accord/portal.yaml
# (deploy/debian/portal.yaml). Its maintainer scripts (deploy/debian) make
# the system users `accord` and `accord-portal` and /var/lib/accord (mode
# 0700), where the broker keeps its store and its keys; they start nothing.
# tests/package/package_test.sh installs it and checks all this.
#
# Only these install() rules exist in the project: `cmake --install` puts the
# same files under CMAKE_INSTALL_PREFIX, except the units and the sample
# configurations, which always go to /lib/systemd/system and /etc/accord
# (prefix them with DESTDIR to stage them).

set(ACCORD_DEBIAN_DIR ${PROJECT_SOURCE_DIR}/deploy/debian)

install(TARGETS accord-broker accord accord-portal
        RUNTIME DESTINATION bin)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/proto/accord
        DESTINATION share/accord/proto
        FILES_MATCHING PATTERN "*.proto")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/clients/portal/web/
        DESTINATION share/accord/portal/web)
install(FILES ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION share/doc/accord)
install(FILES ${PROJECT_SOURCE_DIR}/clients/portal/README.md
        DESTINATION share/doc/accord
        RENAME README.portal.md)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE
        DESTINATION share/doc/accord
        RENAME copyright)
# Absolute destinations: CPACK_SET_DESTDIR below stages them in the package.
install(FILES ${ACCORD_DEBIAN_DIR}/accord-broker.service
              ${ACCORD_DEBIAN_DIR}/accord-portal.service
        DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/accord.yaml
              ${ACCORD_DEBIAN_DIR}/portal.yaml
        DESTINATION /etc/accord)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME accord)
set(CPACK_PACKAGE_VENDOR "Accord maintainers")
set(CPACK_PACKAGE_CONTACT "Accord maintainers <maintainers@users.noreply.r-seed-94ab8496.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "consent and access-control broker (gRPC, mutual TLS, signed grants)")
set(CPACK_PACKAGE_DESCRIPTION
    "Accord records citizens' consents and issues signed JWT grants to data
partners over gRPC with mutual TLS, keeping a verifiable audit log. This
package holds the broker (accord-broker, with its systemd unit), the
command line (accord), the citizens' web app (accord-portal, with its
systemd unit), the API's proto files and sample configurations in
/etc/accord. Run `accord-broker init` before the first start.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
# Stages the absolute destinations (/etc, /lib) too.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://accord.example-metropole.fr")
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
# Depends: the shared libraries' packages as dpkg-shlibdeps finds them
# (libgrpc++1.51, libprotobuf32, libssl3, libyaml-cpp0.7, libabsl20220623,
# libcpp-httplib0.11, libtcmalloc-minimal4, ...; RocksDB is linked
# statically, so its compression libraries instead of librocksdb7.8), plus
# what the maintainer scripts run.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${ACCORD_DEBIAN_DIR}/conffiles
    ${ACCORD_DEBIAN_DIR}/postinst
    ${ACCORD_DEBIAN_DIR}/prerm
    ${ACCORD_DEBIAN_DIR}/postrm)
# Maintainer scripts 0755, the other control files 0644, whatever their
# mode in the checkout.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
