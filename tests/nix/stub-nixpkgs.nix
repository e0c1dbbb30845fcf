# stub-nixpkgs.nix: a small stand-in for nixpkgs, enough to evaluate package.nix and
# flake.nix offline (no nixpkgs, no binary cache here). It is strict where real nixpkgs is:
# callPackage fails on an argument pkgs does not have, mkDerivation and mkShell on an
# attribute name they do not know, lib.getExe on a package without meta.mainProgram. A
# derivation's outPath is `out` (a directory the test fills), so paths built from it are
# real. Returns { lib, legacyPackages, pkgsFor }.
{ out ? "/nonexistent" }:
let
  inherit (builtins) attrNames concatStringsSep elem filter functionArgs isFunction
    listToAttrs map throw;

  genAttrs = names: f: listToAttrs (map (n: { name = n; value = f n; }) names);

  lib = rec {
    inherit genAttrs;
    cleanSource = src: src;
    cleanSourceWith = { src, filter }: src;
    licenses.mit = { shortName = "mit"; spdxId = "MIT"; free = true; };
    platforms.linux = [ "aarch64-linux" "i686-linux" "x86_64-linux" "riscv64-linux" ];
    getExe = drv:
      if drv ? meta && drv.meta ? mainProgram then "${drv}/bin/${drv.meta.mainProgram}"
      else throw "lib.getExe: ${drv.name or "?"} has no meta.mainProgram";
    escapeShellArg = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString s) + "'";
    escapeShellArgs = l: concatStringsSep " " (map escapeShellArg l);
    optionalString = c: s: if c then s else "";
    optionals = c: l: if c then l else [ ];
  };

  # Attribute names stdenv.mkDerivation knows (those a package like this one may set).
  drvKnown = [
    "pname" "version" "name" "src" "srcs" "sourceRoot" "patches" "postPatch"
    "nativeBuildInputs" "buildInputs" "propagatedBuildInputs" "nativeCheckInputs"
    "checkInputs" "strictDeps" "makeFlags" "buildFlags" "installFlags" "checkFlags"
    "installTargets" "checkTarget" "buildPhase" "installPhase" "checkPhase"
    "configurePhase" "dontConfigure" "preBuild" "postBuild" "preInstall" "postInstall"
    "preCheck" "postCheck" "doCheck" "enableParallelBuilding" "enableParallelChecking"
    "separateDebugInfo" "outputs" "meta" "passthru" "env" "hardeningDisable"
  ];
  metaKnown = [ "description" "longDescription" "homepage" "license" "maintainers"
    "mainProgram" "platforms" "changelog" ];
  unknownIn = known: attrs: filter (n: !(elem n known)) (attrNames attrs);
  strict = what: known: attrs:
    let bad = unknownIn known attrs; in
    if bad == [ ] then attrs else throw "${what}: unknown attribute(s) ${concatStringsSep ", " bad}";

  mkDerivation = attrs0:
    let
      attrs = strict "mkDerivation" drvKnown attrs0;
      meta = strict "mkDerivation meta" metaKnown (attrs.meta or { });
      self = attrs // {
        type = "derivation";
        name = attrs.name or "${attrs.pname}-${attrs.version}";
        inherit meta;
        outPath = out;
        overrideAttrs = f: mkDerivation (attrs0 // f attrs0);
      };
    in self;

  stubDrv = name: { type = "derivation"; inherit name; outPath = "/nix/store/stub-${name}"; };

  pkgsFor = system:
    let pkgs = {
      inherit lib;
      stdenv = { inherit mkDerivation; hostPlatform = { inherit system; }; };
      callPackage = fn: overrides:
        let
          f = if isFunction fn then fn else import fn;
          args = functionArgs f;
          given = listToAttrs (map (n: { name = n; value = overrides.${n} or pkgs.${n}; })
            (filter (n: overrides ? ${n} || pkgs ? ${n} || !args.${n}) (attrNames args)));
          missing = filter (n: !(given ? ${n})) (attrNames args);
        in
        if missing == [ ] then f given
        else throw "callPackage: pkgs has no ${concatStringsSep ", " missing}";
      mkShell = attrs: strict "mkShell" [ "inputsFrom" "packages" "nativeBuildInputs"
        "buildInputs" "shellHook" "name" ] attrs // { type = "derivation"; name = "shell"; };
      runCommand = name: env: buildCommand: {
        type = "derivation"; inherit name env buildCommand; outPath = "/nix/store/stub-${name}";
      };
      pkg-config = stubDrv "pkg-config";
      libyaml = stubDrv "libyaml";
      pciutils = stubDrv "pciutils";
      libxml2 = stubDrv "libxml2" // { bin = stubDrv "libxml2-bin"; };
      python3 = stubDrv "python3" // {
        withPackages = f: stubDrv "python3-env" // {
          packages = map (p: p.name) (f { pyyaml = stubDrv "pyyaml"; jsonschema = stubDrv "jsonschema"; });
        };
      };
      libvirt = stubDrv "libvirt";
      nix = stubDrv "nix";
      valgrind = stubDrv "valgrind";
      time = stubDrv "time";
      mandoc = stubDrv "mandoc";
      zsh = stubDrv "zsh";
      fish = stubDrv "fish";
      pre-commit = stubDrv "pre-commit";
      git = stubDrv "git";
    };
    in pkgs;
in
{
  inherit lib pkgsFor;
  legacyPackages = genAttrs lib.platforms.linux pkgsFor;
}
