/*  rantai/arena.h - a bump allocator for one request batch.

    Everything a request needs (its unpacked protobuf-c message, the reply
    and all it points to) is allocated here and freed at once with
    rantai_arena_reset(). The arena is also a ProtobufCAllocator, so
    protobuf_c_message_unpack() can allocate into it; never call
    *__free_unpacked on such messages. Not thread-safe: one owner. Out of
    memory aborts (one allocator policy for the whole project). */
#ifndef RANTAI_ARENA_H
#define RANTAI_ARENA_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rantai_arena_t rantai_arena_t;

/* A new, empty arena; never NULL (aborts on OOM). Caller owns it. */
rantai_arena_t *rantai_arena_new(void);

/* Free the arena and everything allocated from it; NULLs *self. */
void rantai_arena_destroy(rantai_arena_t **self);

/* size bytes, aligned for any type, zeroed; valid until reset/destroy. */
void *rantai_arena_alloc(rantai_arena_t *self, size_t size);

/* A NUL-terminated copy of `len` bytes at `src`, in the arena. */
char *rantai_arena_strndup(rantai_arena_t *self, const char *src, size_t len);

/* printf into the arena. */
char *rantai_arena_printf(rantai_arena_t *self, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Free everything allocated so far; keeps the first block for reuse. */
void rantai_arena_reset(rantai_arena_t *self);

/* The arena as a protobuf-c allocator (free is a no-op). Borrowed; valid
   as long as the arena. */
ProtobufCAllocator *rantai_arena_allocator(rantai_arena_t *self);

/* Convenience: allocate one T, zeroed. */
#define RANTAI_ANEW(arena, T) ((T *) rantai_arena_alloc((arena), sizeof(T)))

#ifdef __cplusplus
}
#endif

#endif
