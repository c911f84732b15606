/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replay fuzz inputs without libFuzzer (`make check`): every file named on
 * the command line, and every regular file in each directory named, is fed
 * to LLVMFuzzerTestOneInput(). Exit 0 when all ran, 1 when one could not be
 * read; a failed check aborts inside the target. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
        FILE *f = fopen(path, "rbe");
        char *buf = NULL;
        size_t len = 0;
        FILE *m;
        int c;

        if (!f) {
                fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
                return -1;
        }
        m = open_memstream(&buf, &len);
        if (!m) {
                fclose(f);
                return -1;
        }
        while ((c = fgetc(f)) != EOF)
                fputc(c, m);
        fclose(f);
        if (fclose(m) != 0) {
                free(buf);
                return -1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
        free(buf);
        return 0;
}

static int filter_hidden(const struct dirent *de)
{
        return de->d_name[0] != '.';
}

static int run_dir(const char *dir, unsigned *n)
{
        struct dirent **list = NULL;
        int count, ret = 0;

        count = scandir(dir, &list, filter_hidden, alphasort);
        if (count < 0) {
                fprintf(stderr, "replay: cannot list '%s': %s\n", dir, strerror(errno));
                return -1;
        }
        for (int i = 0; i < count; i++) {
                char path[4096];
                struct stat st;

                if (snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name) < (int)sizeof path &&
                    stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                        if (run_file(path) < 0)
                                ret = -1;
                        else
                                (*n)++;
                }
                free(list[i]);
        }
        free(list);
        return ret;
}

int main(int argc, char **argv)
{
        unsigned n = 0;
        int ret = 0;

        for (int i = 1; i < argc; i++) {
                struct stat st;

                if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
                        if (run_dir(argv[i], &n) < 0)
                                ret = 1;
                } else if (run_file(argv[i]) < 0) {
                        ret = 1;
                } else {
                        n++;
                }
        }
        fprintf(stderr, "replay: %u inputs\n", n);
        return ret;
}
