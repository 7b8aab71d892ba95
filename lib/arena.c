/*  arena.c - block-chained bump allocator (see rantai/arena.h). */
#include "rantai/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_ALIGN      16
#define S_BLOCK_SIZE (64 * 1024)

typedef struct s_block_t {
    struct s_block_t *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    /* Keeps the payload that follows 16-byte aligned. */
    _Alignas(S_ALIGN) unsigned char data[];
} s_block_t;

struct rantai_arena_t {
    s_block_t *head;  /* current block; the chain holds every block */
    s_block_t *first; /* kept by reset */
    ProtobufCAllocator allocator;
};

/* The single out-of-memory policy of the project: abort loudly. */
static void *
s_xmalloc(size_t size)
{
    void *p = malloc(size);
    if (!p) {
        fprintf(stderr, "rantai: out of memory (%zu bytes)\n", size);
        abort();
    }
    return p;
}

static s_block_t *
s_block_new(size_t size, s_block_t *next)
{
    if (size > SIZE_MAX - sizeof(s_block_t)) {
        fprintf(stderr, "rantai: arena request too large (%zu)\n", size);
        abort();
    }
    s_block_t *b = s_xmalloc(sizeof(s_block_t) + size);
    b->next = next;
    b->size = size;
    b->used = 0;
    return b;
}

static void *
s_pb_alloc(void *data, size_t size)
{
    return rantai_arena_alloc((rantai_arena_t *) data, size);
}

static void
s_pb_free(void *data, void *ptr)
{
    /* Everything goes at reset/destroy. */
    (void) data;
    (void) ptr;
}

rantai_arena_t *
rantai_arena_new(void)
{
    rantai_arena_t *self = s_xmalloc(sizeof(*self));
    self->head = s_block_new(S_BLOCK_SIZE, NULL);
    self->first = self->head;
    self->allocator.alloc = s_pb_alloc;
    self->allocator.free = s_pb_free;
    self->allocator.allocator_data = self;
    return self;
}

void
rantai_arena_destroy(rantai_arena_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    rantai_arena_t *self = *self_p;
    s_block_t *b = self->head;
    while (b) {
        s_block_t *next = b->next;
        free(b);
        b = next;
    }
    free(self);
    *self_p = NULL;
}

void *
rantai_arena_alloc(rantai_arena_t *self, size_t size)
{
    if (size == 0) {
        size = 1; /* distinct, non-NULL pointers, like malloc(1) */
    }
    if (size > SIZE_MAX - S_ALIGN) {
        fprintf(stderr, "rantai: arena request too large (%zu)\n", size);
        abort();
    }
    size_t need = (size + S_ALIGN - 1) & ~(size_t) (S_ALIGN - 1);
    s_block_t *b = self->head;
    if (b->size - b->used < need) {
        size_t bsize = need > S_BLOCK_SIZE ? need : S_BLOCK_SIZE;
        /* Big one-off requests get their own block behind the current
           one, so the current block's free tail stays usable. */
        if (need > S_BLOCK_SIZE / 4 && b->size - b->used >= S_BLOCK_SIZE / 4) {
            s_block_t *big = s_block_new(bsize, b->next);
            b->next = big;
            big->used = need;
            memset(big->data, 0, need);
            return big->data;
        }
        b = s_block_new(bsize, self->head);
        self->head = b;
    }
    void *p = b->data + b->used;
    b->used += need;
    memset(p, 0, need);
    return p;
}

char *
rantai_arena_strndup(rantai_arena_t *self, const char *src, size_t len)
{
    if (len == SIZE_MAX) {
        abort();
    }
    char *s = rantai_arena_alloc(self, len + 1);
    if (len > 0) {
        memcpy(s, src, len);
    }
    s[len] = '\0';
    return s;
}

char *
rantai_arena_printf(rantai_arena_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return rantai_arena_strndup(self, "", 0);
    }
    char *s = rantai_arena_alloc(self, (size_t) n + 1);
    vsnprintf(s, (size_t) n + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

void
rantai_arena_reset(rantai_arena_t *self)
{
    s_block_t *b = self->head;
    while (b) {
        s_block_t *next = b->next;
        if (b != self->first) {
            free(b);
        }
        b = next;
    }
    self->first->next = NULL;
    self->first->used = 0;
    self->head = self->first;
}

ProtobufCAllocator *
rantai_arena_allocator(rantai_arena_t *self)
{
    return &self->allocator;
}
