/*  fuzz_producer_handle - the producer registry's request handler (core,
    in-process, on a temporary store). Input format: fuzz_common.h. */
#include "fuzz_registry_handle.h"
#include "producer_core.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return s_registry_one(&producer_service, data, size);
}
