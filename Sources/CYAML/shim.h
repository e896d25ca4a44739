#ifndef CIPHERSCOPE_CYAML_SHIM_H
#define CIPHERSCOPE_CYAML_SHIM_H
#include <yaml.h>
#endif
