# flake-eval.nix: package.nix, default.nix and the outputs of flake.nix evaluated against
# the stub nixpkgs (stub-nixpkgs.nix), reduced to JSON for t-nix-package.sh to check.
#   nix-instantiate --eval --strict --json --store dummy:// tests/nix/flake-eval.nix \
#     --arg top ./. --argstr out /tmp/pkg
{ top, out ? "/nonexistent" }:
let
  stub = import ./stub-nixpkgs.nix { inherit out; };
  pkgs = stub.pkgsFor "x86_64-linux";
  flake = import (top + "/flake.nix");
  outputs = flake.outputs { inherit self; nixpkgs = stub; };
  self = outputs // { outPath = top; };
  drv = d: {
    inherit (d) name;
    pname = d.pname or null;
    version = d.version or null;
    nativeBuildInputs = map (x: x.name) (d.nativeBuildInputs or [ ]);
    buildInputs = map (x: x.name) (d.buildInputs or [ ]);
    nativeCheckInputs = map (x: x.name) (d.nativeCheckInputs or [ ]);
    makeFlags = d.makeFlags or [ ];
    phases = builtins.filter (n: builtins.match ".*(Phase|^pre[A-Z].*|^post[A-Z].*)" n != null) (builtins.attrNames d);
    doCheck = d.doCheck or false;
    checkTarget = d.checkTarget or null;
    meta = { inherit (d.meta) mainProgram platforms; license = d.meta.license.spdxId or null; hasDescription = d.meta ? description; };
  };
  pkg = pkgs.callPackage (top + "/package.nix") { };
  sys = builtins.attrNames;
  check = outputs.lib.check { inherit pkgs; src = "/src"; config = "vfio/host.yaml"; };
  checkHw = outputs.lib.check { inherit pkgs; src = "/src"; config = "host.yaml";
    output = "out dir"; hardware = "hw.yaml"; };
in
{
  package = drv pkg;
  defaultNix = drv (import (top + "/default.nix") { inherit pkgs; });
  inputs = builtins.mapAttrs (n: v: v.url or null) flake.inputs;
  outputNames = sys outputs;
  systems = {
    packages = sys outputs.packages; apps = sys outputs.apps;
    devShells = sys outputs.devShells; checks = sys outputs.checks;
  };
  packages = builtins.mapAttrs (n: drv) outputs.packages.x86_64-linux;
  app = outputs.apps.x86_64-linux.default;
  devShell = {
    inputsFrom = map (x: x.name) outputs.devShells.x86_64-linux.default.inputsFrom;
    packages = map (x: x.name) outputs.devShells.x86_64-linux.default.packages;
  };
  checks = builtins.mapAttrs (n: drv) outputs.checks.x86_64-linux;
  overlay = let final = pkgs // outputs.overlays.default final pkgs; in drv final.vfioc;
  libCheck = { inherit (check) name buildCommand; path = map (x: x.name) check.env.nativeBuildInputs; };
  libCheckHw = checkHw.buildCommand;
}
