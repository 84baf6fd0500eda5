# ASan + UBSan for the whole tree when SIPGUARD_SANITIZE is on. UBSan is made
# fatal so a test that triggers undefined behaviour fails instead of printing.
if(SIPGUARD_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# Fuzz builds: coverage instrumentation for every library the fuzzers link,
# not only for the fuzzer's own file (which gets -fsanitize=fuzzer).
if(SIPGUARD_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
