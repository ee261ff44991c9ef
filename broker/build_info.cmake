# Sets ACCORD_GIT_COMMIT to `git rev-parse --short HEAD` of the source tree,
# or "unknown" when it is not the top of a git checkout, and makes CMake
# configure again when HEAD moves (a commit, a checkout), so that the value
# stays current; the generated file is rewritten only when the value
# changes, so a commit recompiles it alone.
set(ACCORD_GIT_COMMIT unknown)
find_package(Git QUIET)
if(GIT_FOUND)
  # The source tree must be the top of the checkout: sources unpacked
  # inside another repository are not a checkout of their own.
  execute_process(
    COMMAND ${GIT_EXECUTABLE} rev-parse --show-toplevel
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    OUTPUT_VARIABLE top RESULT_VARIABLE top_status
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  get_filename_component(top "${top}" REALPATH)
  get_filename_component(source "${PROJECT_SOURCE_DIR}" REALPATH)
  execute_process(
    COMMAND ${GIT_EXECUTABLE} rev-parse --short HEAD
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    OUTPUT_VARIABLE commit RESULT_VARIABLE status
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(top_status EQUAL 0 AND top STREQUAL source AND status EQUAL 0 AND
     commit MATCHES "^[0-9a-f]+$")
    set(ACCORD_GIT_COMMIT ${commit})
    # HEAD's reflog, HEAD itself, the branch it names and packed-refs: one
    # of them changes on a commit or a checkout (also in a linked worktree).
    set(git_files logs/HEAD HEAD)
    execute_process(
      COMMAND ${GIT_EXECUTABLE} symbolic-ref -q HEAD
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      OUTPUT_VARIABLE branch RESULT_VARIABLE status
      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(status EQUAL 0)
      list(APPEND git_files ${branch} packed-refs)
    endif()
    foreach(name ${git_files})
      execute_process(
        COMMAND ${GIT_EXECUTABLE} rev-parse --git-path ${name}
        WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
        OUTPUT_VARIABLE path
        OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      get_filename_component(path "${path}" ABSOLUTE BASE_DIR ${PROJECT_SOURCE_DIR})
      if(EXISTS ${path})
        set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY
                     CMAKE_CONFIGURE_DEPENDS ${path})
      endif()
    endforeach()
  endif()
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/build_info.cc.in
               ${CMAKE_CURRENT_BINARY_DIR}/build_info.cc @ONLY)
