# Install rules and the Debian package, include()d by the top-level
# CMakeLists.txt after the ktrdr and ktrdr-mock targets are defined.
#
#   cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr
#   cmake --build build-release
#   DESTDIR=/tmp/stage cmake --install build-release     # or --prefix DIR
#   cpack --config build-release/CPackConfig.cmake -B build-release/package
#
# Layout (GNUInstallDirs, relative to the prefix):
#   bin/ktrdr, bin/ktrdr-mock
#   share/man/man1/ktrdr.1.gz, ktrdr-mock.1.gz         (gzip -9n, Debian policy 12.1)
#   share/bash-completion/completions/ktrdr, ktrdr-mock  (loaded on demand)
#   share/ktrdr-ops/scenarios/*.yaml                   (found by ktrdr-mock)
#   share/doc/ktrdr-ops/README.md, *.md
# ci/install-check builds, installs and packages this, and checks the result.

include(GNUInstallDirs)

set(KTRDR_SCENARIOS_SUBDIR "${CMAKE_INSTALL_DATADIR}/ktrdr-ops/scenarios")
set(KTRDR_COMPLETIONS_SUBDIR "${CMAKE_INSTALL_DATADIR}/bash-completion/completions")

# ---- where ktrdr-mock finds its scenarios without --scenarios -----------
# mockserver/main.c looks, in order, at: --scenarios DIR; $KTRDR_MOCK_SCENARIOS;
# <directory of the binary>/KTRDR_SCENARIOS_RELDIR (an installed tree, wherever
# it was installed, copied or unpacked: DESTDIR, --prefix, dpkg-deb -x);
# KTRDR_SOURCE_SCENARIOS_DIR when the binary is the build tree's own (its
# directory is KTRDR_BUILD_DIR); KTRDR_SCENARIOS_INSTALL_DIR (the configured
# prefix's); ./scenarios; else the built-in defaults only.
file(RELATIVE_PATH KTRDR_SCENARIOS_RELDIR "${CMAKE_INSTALL_FULL_BINDIR}"
     "${CMAKE_INSTALL_FULL_DATADIR}/ktrdr-ops/scenarios")
target_compile_definitions(ktrdr-mock PRIVATE
  KTRDR_SCENARIOS_RELDIR="${KTRDR_SCENARIOS_RELDIR}"
  KTRDR_SCENARIOS_INSTALL_DIR="${CMAKE_INSTALL_FULL_DATADIR}/ktrdr-ops/scenarios"
  KTRDR_SOURCE_SCENARIOS_DIR="${PROJECT_SOURCE_DIR}/scenarios"
  KTRDR_BUILD_DIR="$<TARGET_FILE_DIR:ktrdr-mock>")

# ---- man pages, gzipped at build time ----------------------------------
find_program(KTRDR_GZIP gzip REQUIRED)
set(KTRDR_MAN_PAGES ktrdr.1 ktrdr-mock.1)
set(KTRDR_MAN_GZ)
foreach(page ${KTRDR_MAN_PAGES})
  set(src "${PROJECT_SOURCE_DIR}/docs/man/${page}")
  set(gz "${PROJECT_BINARY_DIR}/man/${page}.gz")
  add_custom_command(
    OUTPUT "${gz}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${PROJECT_BINARY_DIR}/man"
    COMMAND ${KTRDR_GZIP} -9nc "${src}" > "${gz}"
    DEPENDS "${src}"
    COMMENT "Compressing ${page}"
    VERBATIM)
  list(APPEND KTRDR_MAN_GZ "${gz}")
endforeach()
add_custom_target(ktrdr_man ALL DEPENDS ${KTRDR_MAN_GZ})

# ---- install rules ------------------------------------------------------
install(TARGETS ktrdr ktrdr-mock RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(FILES ${KTRDR_MAN_GZ} DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
install(FILES completion/ktrdr.bash DESTINATION "${KTRDR_COMPLETIONS_SUBDIR}" RENAME ktrdr)
install(FILES completion/ktrdr-mock.bash DESTINATION "${KTRDR_COMPLETIONS_SUBDIR}"
        RENAME ktrdr-mock)
install(DIRECTORY scenarios/ DESTINATION "${KTRDR_SCENARIOS_SUBDIR}"
        FILES_MATCHING PATTERN "*.yaml" PATTERN "*.yml")
file(GLOB KTRDR_DOCS CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/docs/*.md")
install(FILES README.md ${KTRDR_DOCS} DESTINATION "${CMAKE_INSTALL_DOCDIR}")

# ---- the Debian package (cpack -G DEB) ---------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ktrdr-ops)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "ktrdr-ops maintainers <ktrdr-ops@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "client and mock server for long-running KTRDR operations")
set(CPACK_PACKAGE_DESCRIPTION
    "ktrdr starts long-running operations of the KTRDR trading-research platform
(model training, market-data loading, the dummy task), follows them with a live
progress display, cancels them on the server with Ctrl+C and shows their
results, with documented exit codes and a --json mode for scripts.
ktrdr-mock is a mock KTRDR operations server that replays scripted scenarios,
for trying ktrdr, for tests and for CI.")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # ktrdr-ops_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "bash-completion, man-db")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Depends: from the binaries' shared libraries when dpkg-shlibdeps (dpkg-dev)
# is there (libc6, libcurl4, libjansson4, libyaml-0-2, libmicrohttpd12 with
# their versions), else Debian 12's names by hand.
find_program(KTRDR_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(KTRDR_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6 (>= 2.34), libcurl4 (>= 7.68.0), libjansson4 (>= 2.14), libyaml-0-2, libmicrohttpd12 (>= 0.9.75)")
endif()
include(CPack)
