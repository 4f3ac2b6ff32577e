// arflow: the command-line client of the invoicing and payments services (docs/cli.md).

#include <iostream>

#include "cli.h"

int main(int argc, char** argv) { return arflow::cli::run(argc, argv, std::cout, std::cerr); }
