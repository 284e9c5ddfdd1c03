#!/bin/bash
# dracut module "arbor": puts arbor-prepare-root in the initramfs and runs it as a pre-pivot
# hook, after dracut has mounted the root at $NEWROOT and before it switches root
# (dracut.modules(7): check, depends, install). See docs/boot.md.

# Where the OS ships the script; the module is useless without it.
ARBOR_PREPARE_ROOT=/usr/lib/arbor/arbor-prepare-root

check() {
    # Included by default whenever the tree being built for has arbor-prepare-root.
    [[ -x "$dracutsysrootdir$ARBOR_PREPARE_ROOT" ]] || return 1
    return 0
}

depends() {
    # rootfs-block mounts root= at $NEWROOT; arbor-prepare-root then builds the deployment there.
    echo rootfs-block
    return 0
}

install() {
    inst_script "$ARBOR_PREPARE_ROOT" /usr/bin/arbor-prepare-root
    # The script's tools: util-linux mount for --bind, --move and remount,bind,ro.
    inst_multiple mount readlink mkdir ln cat sleep
    inst_multiple -o findfs blkid
    inst_hook pre-pivot 50 "$moddir/arbor-pre-pivot.sh"
}
