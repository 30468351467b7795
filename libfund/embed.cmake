# Turns a text file into a C string constant: default_framework_csv.
file(READ ${IN} CONTENT HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," BYTES "${CONTENT}")
file(WRITE ${OUT} "/* generated from default-framework.csv */\nconst char default_framework_csv[] = {${BYTES} 0x00};\n")
