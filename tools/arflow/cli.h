#pragma once
// `arflow`, the command-line client of arflow.invoicing.v1.InvoicingService and
// arflow.payments.v1.PaymentsService (docs/cli.md).

#include <ostream>

namespace arflow::cli {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRpcError = 1;  // the server refused or failed ("<CODE>: <message>")
inline constexpr int kExitBadInput = 2;  // the command line is wrong; nothing was sent

// Parses the command line, makes the call(s) and prints the result on `out`, errors on
// `err`. Returns the exit code.
int run(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace arflow::cli
