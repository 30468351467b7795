# Turns one scdoc page into roff (doc/CMakeLists.txt runs it for each page):
#   cmake -DSCDOC=scdoc -DSRC=X.N.scd -DOUT=X.N -DTMP=X.N.scd -DVERSION=V -P scdoc.cmake
# @VERSION@ in the page becomes V. scdoc's output asks for no hyphenation
# (.nh) before .TH, which the man macros undo; it is asked again after .TH, so
# that a flag such as --evaluation-hold-ms is never broken across two lines.
# scdoc dates the page with SOURCE_DATE_EPOCH when that is set (reproducible
# builds), else with today.
cmake_minimum_required(VERSION 3.18) # the new policies: no @VAR@ expansion of the text
foreach(var IN ITEMS SCDOC SRC OUT TMP VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "scdoc.cmake: -D${var}=... is required")
  endif()
endforeach()

file(READ "${SRC}" text)
string(REPLACE "@VERSION@" "${VERSION}" text "${text}")
file(WRITE "${TMP}" "${text}")
execute_process(COMMAND "${SCDOC}" INPUT_FILE "${TMP}" OUTPUT_VARIABLE roff
                ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "scdoc: ${SRC}: ${err}")
endif()
string(REGEX REPLACE "\n(\\.TH [^\n]*)\n" "\n\\1\n.nh\n" roff "${roff}")
file(WRITE "${OUT}.tmp" "${roff}")
file(RENAME "${OUT}.tmp" "${OUT}")
