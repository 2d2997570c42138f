# Test registration. Every file is found by its name, so adding a module's
# test needs no edit here:
#   tests/unit/test_<area>_<module>.c   cmocka unit test of one module (test_cli_*.c: of
#                                       src/cli/cli.c, compiled into the test)
#   tests/cli/test_<name>.sh            end-to-end test of the real binary
#   fuzz/fuzz_<parser>.c                libFuzzer target; fuzz/corpus/<parser>/ is replayed
#   tests/fault/test_fault_<name>.c     fault injection (allocations, I/O), linked with
#                                       tests/fault/inject.c and ops.c and the wraps below
#   tests/fault/test_fault_<name>.sh    fault injection on the real binary (kill -9 shim)
#   bench/bench_<name>.c                benchmark (built, not run by ctest; test_bench_cleanup.sh runs bench_search once, small)

# Tests read their data from the repository itself (data/: see data/README.md);
# KITH_SHARED names the folder that holds data/.
set(KITH_SHARED_DIR ${PROJECT_SOURCE_DIR} CACHE PATH "the folder that holds data/ (the repository)")

file(GLOB unit_tests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src IN LISTS unit_tests)
  get_filename_component(name ${src} NAME_WE)
  string(REGEX MATCH "^test_([a-z0-9]+)_" m ${name})
  set(area ${CMAKE_MATCH_1})
  add_executable(${name} ${src})
  target_compile_options(${name} PRIVATE ${KITH_WARNINGS} -Wno-missing-prototypes)
  target_link_libraries(${name} PRIVATE kithlib PkgConfig::CMOCKA)
  if(area STREQUAL "casework" OR area STREQUAL "vault")  # the shared vault fixture
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit/fixture_vault.c)
  endif()
  if(area STREQUAL "cli")  # the command line is no library: its shared file, compiled in
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src/cli/cli.c)
  endif()
  add_test(NAME unit/${name} COMMAND ${name})
  set_tests_properties(unit/${name} PROPERTIES
    LABELS "unit;${area}"
    ENVIRONMENT "KITH_SHARED=${KITH_SHARED_DIR};KITH_SOURCE=${PROJECT_SOURCE_DIR};CMOCKA_MESSAGE_OUTPUT=stdout")
endforeach()

if(TARGET kith)
  file(GLOB cli_tests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/cli/test_*.sh)
  foreach(src IN LISTS cli_tests)
    get_filename_component(name ${src} NAME_WE)
    add_test(NAME cli/${name} COMMAND bash ${src})
    set(labels "cli")
    if(name MATCHES "^test_browser")
      set(labels "cli;browser")  # a real Chromium: left out of the sanitizer run
    endif()
    set_tests_properties(cli/${name} PROPERTIES
      LABELS "${labels}"
      ENVIRONMENT "KITH=$<TARGET_FILE:kith>;KITH_SHARED=${KITH_SHARED_DIR};KITH_SOURCE=${PROJECT_SOURCE_DIR};KITH_BUILD=${PROJECT_BINARY_DIR}")
  endforeach()
endif()

if(NOT TARGET kith)
  return()  # fuzzers and benchmarks need every area
endif()

# Fault injection (docs/testing.md): kith's calls to the allocator and to
# write/fsync/rename are wrapped at link time; SQLite's allocator and VFS are
# replaced at run time (tests/fault/inject.h).
if(NOT KITH_FUZZ)
  set(fault_wraps malloc calloc realloc strdup strndup sodium_malloc write fsync rename)
  list(TRANSFORM fault_wraps PREPEND "-Wl,--wrap=")
  file(GLOB fault_tests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/fault/test_fault_*.c)
  foreach(src IN LISTS fault_tests)
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src} ${PROJECT_SOURCE_DIR}/tests/fault/inject.c
                   ${PROJECT_SOURCE_DIR}/tests/fault/ops.c)
    target_compile_options(${name} PRIVATE ${KITH_WARNINGS} -Wno-missing-prototypes)
    target_link_options(${name} PRIVATE ${fault_wraps})
    target_link_libraries(${name} PRIVATE kithlib)
    add_test(NAME fault/${name} COMMAND ${name})
    set_tests_properties(fault/${name} PROPERTIES LABELS "fault")
  endforeach()
  # The kill -9 shim, LD_PRELOADed into the real binary by tests/fault/*.sh,
  # and the tool that prints what a vault shows after the kill.
  add_library(kith_fault_kill MODULE ${PROJECT_SOURCE_DIR}/tests/fault/kill_shim.c)
  target_link_libraries(kith_fault_kill PRIVATE ${CMAKE_DL_LIBS})
  add_executable(kith_fault_digest ${PROJECT_SOURCE_DIR}/tests/fault/digest.c
                 ${PROJECT_SOURCE_DIR}/tests/fault/inject.c ${PROJECT_SOURCE_DIR}/tests/fault/ops.c)
  target_compile_options(kith_fault_digest PRIVATE ${KITH_WARNINGS})
  target_link_options(kith_fault_digest PRIVATE ${fault_wraps})
  target_link_libraries(kith_fault_digest PRIVATE kithlib)
  file(GLOB fault_scripts CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/fault/test_fault_*.sh)
  foreach(src IN LISTS fault_scripts)
    get_filename_component(name ${src} NAME_WE)
    add_test(NAME fault/${name} COMMAND bash ${src})
    set_tests_properties(fault/${name} PROPERTIES LABELS "fault"
      ENVIRONMENT "KITH=$<TARGET_FILE:kith>;KITH_FAULT_SHIM=$<TARGET_FILE:kith_fault_kill>;KITH_FAULT_DIGEST=$<TARGET_FILE:kith_fault_digest>;KITH_SOURCE=${PROJECT_SOURCE_DIR}")
  endforeach()
endif()

file(GLOB fuzz_targets CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fuzz/fuzz_*.c)
foreach(src IN LISTS fuzz_targets)
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^fuzz_" "" parser ${name})
  if(KITH_FUZZ)
    add_executable(${name} ${src})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE kithlib)
  else()
    # The same target with a small driver that feeds it every corpus file.
    add_executable(${name}_replay ${src} ${PROJECT_SOURCE_DIR}/fuzz/replay.c)
    target_compile_options(${name}_replay PRIVATE ${KITH_WARNINGS} -Wno-missing-prototypes)
    target_link_libraries(${name}_replay PRIVATE kithlib)
    add_test(NAME fuzz/${name} COMMAND ${name}_replay ${PROJECT_SOURCE_DIR}/fuzz/corpus/${parser})
    set_tests_properties(fuzz/${name} PROPERTIES LABELS "fuzz")
  endif()
endforeach()

file(GLOB benches CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/bench/bench_*.c)
foreach(src IN LISTS benches)
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_compile_options(${name} PRIVATE ${KITH_WARNINGS} -Wno-missing-prototypes)
  target_link_libraries(${name} PRIVATE kithlib)
endforeach()
