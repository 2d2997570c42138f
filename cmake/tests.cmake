# Test registration. Every file is found by its name, so adding a module's
# test needs no edit here:
#   tests/unit/test_<area>_<module>.c   cmocka unit test of one module
#   tests/cli/test_<name>.sh            end-to-end test of the real binary
#   fuzz/fuzz_<parser>.c                libFuzzer target; fuzz/corpus/<parser>/ is replayed
#   bench/bench_<name>.c                benchmark (built, not run by ctest)

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
    if(name STREQUAL "test_browser")
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
