/*  replay_main.c - the ctest form of a fuzz target: feed every file of
    the given seed corpus directories (or files) to LLVMFuzzerTestOneInput
    once, with the normal compiler and no libFuzzer. A crash, a sanitizer
    report (sanitized builds) or an abort from a target's own checks fails
    the test. */
#include "fuzz_common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int
s_run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    uint8_t *buf = malloc(1 << 20);
    if (!buf) {
        fclose(f);
        return 1;
    }
    size_t n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    /* An exact-size copy, so ASan sees reads past the end of the input. */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return 1;
    }
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

int
main(int argc, char **argv)
{
    int files = 0, errors = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: no such corpus %s\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            errors += s_run_file(argv[i]);
            files++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.') {
                continue;
            }
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            errors += s_run_file(path);
            files++;
        }
        if (d) {
            closedir(d);
        }
    }
    printf("replay: %d inputs, %d unreadable\n", files, errors);
    /* An empty corpus would make the test prove nothing. */
    return files > 0 && errors == 0 ? 0 : 1;
}
