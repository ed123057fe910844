@echo off
rem The pitwall bridge-agent: node\node.exe next to this file when the package has it, else node on PATH.
setlocal
set "PITWALL_NODE=%~dp0node\node.exe"
if exist "%PITWALL_NODE%" goto run
set "PITWALL_NODE="
for %%I in (node.exe) do set "PITWALL_NODE=%%~$PATH:I"
if defined PITWALL_NODE goto run
echo pitwall-agent: Node.js not found: install Node 20 or later (nodejs.org), or use the package with node\node.exe 1>&2
exit /b 1
:run
"%PITWALL_NODE%" "%~dp0bridge-agent.js" %*
exit /b %ERRORLEVEL%
