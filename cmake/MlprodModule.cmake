# Helpers that keep each module's CMakeLists to a few lines.
#
# mlprod_module(NAME name SOURCES a.cpp b.cpp DEPS mlprod_common PUBLIC_LIBS ... PRIVATE_LIBS ...)
#   builds the static library `mlprod_<name>` with our warnings; include root is src/.
# mlprod_test(NAME name SOURCES ... DEPS ... LABELS unit|infra|blackbox)
#   builds a GoogleTest executable and registers its tests with CTest under the given labels;
#   one with the blackbox label depends on the `mlprod` binary and exists only with
#   MLPROD_BLACKBOX_TESTS.

set(MLPROD_WARNINGS -Wall -Wextra -Werror -Wno-missing-field-initializers)

function(mlprod_module)
  cmake_parse_arguments(M "" "NAME" "SOURCES;DEPS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(mlprod_${M_NAME} STATIC ${M_SOURCES})
  target_include_directories(mlprod_${M_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(mlprod_${M_NAME} PRIVATE ${MLPROD_WARNINGS})
  target_link_libraries(mlprod_${M_NAME} PUBLIC ${M_DEPS} ${M_PUBLIC_LIBS} PRIVATE ${M_PRIVATE_LIBS})
endfunction()

function(mlprod_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if("blackbox" IN_LIST T_LABELS AND NOT MLPROD_BLACKBOX_TESTS)
    return()
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_compile_options(${T_NAME} PRIVATE ${MLPROD_WARNINGS})
  target_include_directories(${T_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${T_NAME} PRIVATE
    MLPROD_TEST_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    MLPROD_TEST_BINARY="${PROJECT_BINARY_DIR}/src/app/mlprod")
  if("blackbox" IN_LIST T_LABELS)
    add_dependencies(${T_NAME} mlprod)  # it runs the built binary
  endif()
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS "${T_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()
