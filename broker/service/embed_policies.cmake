# Writes OUT: a C++ source defining DemoPolicyYaml(id) from DIR/<id>.policy.yaml.
set(body "// Generated from policy/examples; do not edit.\n#include \"absl/strings/string_view.h\"\n\nnamespace accord::service {\n\nabsl::string_view DemoPolicyYaml(absl::string_view id) {\n")
foreach(id ${IDS})
  file(READ ${DIR}/${id}.policy.yaml text)
  string(APPEND body "  if (id == \"${id}\") {\n    return R\"accord_policy(${text})accord_policy\";\n  }\n")
endforeach()
string(APPEND body "  return {};\n}\n\n}  // namespace accord::service\n")
file(WRITE ${OUT} "${body}")
