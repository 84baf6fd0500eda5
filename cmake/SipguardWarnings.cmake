# sipguard_warnings(target): the warning set every target of ours is held to.
# Warnings are errors in CI builds (SIPGUARD_WERROR) so "clean" stays true.
option(SIPGUARD_WERROR "Treat warnings as errors" OFF)

function(sipguard_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    # -Wnull-dereference is left out: GCC 12 reports it inside libstdc++ and
    # CLI11 after inlining, with no fix available on our side.
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
  if(SIPGUARD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
