# default.nix: vfioc for `nix-build` and `nix-env -f .` without flakes:
#   nix-build        # ./result/bin/vfioc
{ pkgs ? import <nixpkgs> { } }:

pkgs.callPackage ./package.nix { }
