/*  fuzz_buyer_handle - the buyer registry's request handler (core,
    in-process, on a temporary store). Input format: fuzz_common.h. */
#include "buyer_core.h"
#include "fuzz_registry_handle.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return s_registry_one(&buyer_service, data, size);
}
