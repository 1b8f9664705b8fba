; Inno Setup script for the Windows installer. Build the bundle on Windows first:
;   py -3.11 -m venv .venv && .venv\Scripts\pip install torch==2.13.0 -c constraints.txt
;   .venv\Scripts\pip install -e . pyinstaller==6.22.3 -c constraints.txt
;   set CMAKE_ARGS=-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
;   .venv\Scripts\pip wheel --no-deps llama-cpp-python==0.3.36 -w build\wheels
;   set COUNTERSIGN_LLAMA_WHEEL=build\wheels\<the wheel>   (build.spec reads .dll as well as .so: see docs/packaging.md)
;   .venv\Scripts\pyinstaller --noconfirm build.spec
; then compile this script with ISCC.exe (Inno Setup 6). NOT checked on Windows by CI: see
; docs/packaging.md for what is and is not verified.
#define AppName "Countersign"
#define AppVersion "0.1.0"

[Setup]
AppId={{6B0E7C1A-6C64-4F0B-9A5B-1C0D5E2B7A41}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Countersign
DefaultDirName={autopf}\Countersign
DefaultGroupName=Countersign
OutputDir=..\..\dist
OutputBaseFilename=countersign-{#AppVersion}-setup
Compression=lzma2/fast
SolidCompression=no
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog
DisableProgramGroupPage=yes

[Files]
Source: "..\..\dist\countersign\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion
Source: "..\..\dist\sbom.json"; DestDir: "{app}"; Flags: skipifsourcedoesntexist

[Icons]
Name: "{autoprograms}\Countersign"; Filename: "{app}\countersign.exe"
Name: "{autodesktop}\Countersign"; Filename: "{app}\countersign.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
; IT can run the headless check after a silent install: countersign.exe --self-test
Filename: "{app}\countersign.exe"; Description: "Start Countersign"; Flags: nowait postinstall skipifsilent
